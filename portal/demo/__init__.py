"""Demo data for the embedded mode: people to sign in as and a site to look at.

Each step is idempotent, so ``load_demo_data`` can run on every ``make run``.
Later features add their own steps to ``STEPS``.
"""
