"""Demo calculators and a fit assessment for Blue Lagoon Pools.

Loading is idempotent: a page is created once and republished only when its
definition changed.
"""

from wagtail.models import Page

from content.models import AssessmentPage, CalculatorPage, ContentIndexPage

TOOLS_SLUG = "tools"
TOOLS_TITLE = "Calculators and self-checks"
TOOLS_INTRO = (
    "<p>Work out your own figures and check whether a fibreglass pool suits "
    "your garden. No sign-up, and nothing you enter is stored.</p>"
)


def number_input(kind, name, label, default, minimum=None, maximum=None, **extra):
    """A number or slider input; ``kind`` is "number" or "slider"."""
    return {
        "type": kind,
        "value": {
            "name": name,
            "label": label,
            "unit": extra.get("unit", ""),
            "default": str(default),
            "minimum": None if minimum is None else str(minimum),
            "maximum": None if maximum is None else str(maximum),
            "step": None if extra.get("step") is None else str(extra["step"]),
            "help": extra.get("help", ""),
        },
    }


def choice_input(name, label, options, default="", help_text=""):
    return {
        "type": "choice",
        "value": {
            "name": name,
            "label": label,
            "options": [{"label": text, "value": value} for text, value in options],
            "default": default,
            "help": help_text,
        },
    }


def yes_no_input(name, label, default=False, help_text=""):
    return {
        "type": "yes_no",
        "value": {"name": name, "label": label, "default": default, "help": help_text},
    }


def lookup_table(name, rows):
    return {
        "type": "table",
        "value": {
            "name": name,
            "rows": [{"key": str(key), "value": str(value)} for key, value in rows],
        },
    }


def value_step(name, formula):
    return {"type": "value", "value": {"name": name, "formula": formula}}


def result_block(name, label, formula, fmt="number", explanation="", **extra):
    return {
        "type": "result",
        "value": {
            "name": name,
            "label": label,
            "formula": formula,
            "upper_formula": extra.get("upper", ""),
            "format": fmt,
            "decimals": extra.get("decimals"),
            "unit": extra.get("unit", ""),
            "explanation": explanation,
        },
    }


POOL_COST = {
    "title": "Fibreglass pool cost estimator",
    "summary": (
        "Choose a size, shape and the options you want, and see the price range "
        "for a finished pool, ready to swim in."
    ),
    "intro": (
        "<p>Every figure below comes from pools we installed over the last two "
        "seasons. The range is wide on purpose: your garden decides where in it "
        "you land, and a site visit narrows it to one number.</p>"
    ),
    "notes": (
        "<p>Prices include VAT, delivery, the crane, excavation and removal of "
        "soil, a stone base, plumbing, filtration and commissioning. They leave "
        "out fencing, landscaping beyond the paving and any planning fees.</p>"
    ),
    "calculator": [
        choice_input(
            "size",
            "Pool size",
            [
                ("Small, about 6 × 3 m", "small"),
                ("Family, about 7.5 × 3.5 m", "family"),
                ("Large, about 10 × 4 m", "large"),
            ],
            default="family",
        ),
        choice_input(
            "shape",
            "Shape",
            [("Rectangle", "1"), ("Roman end", "1.04"), ("Freeform", "1.08")],
            help_text="Curved moulds cost a little more to make and to pave around.",
        ),
        yes_no_input(
            "heating",
            "Add an air-source heat pump?",
            True,
            "Most owners do: it doubles the months you will want to swim.",
        ),
        choice_input(
            "cover",
            "Cover",
            [
                ("No cover", "none"),
                ("Winter safety cover", "safety"),
                ("Automatic slatted cover", "auto"),
            ],
            default="auto",
        ),
        number_input(
            "slider",
            "paving",
            "Paving around the pool",
            30,
            0,
            150,
            unit="m²",
            step=5,
            help="A 1 m border around a family pool is about 26 m².",
        ),
        choice_input(
            "paving_rate",
            "Paving material",
            [("Porcelain", "110"), ("Natural stone", "260")],
        ),
        choice_input(
            "access",
            "Access to the garden",
            [
                ("Easy: a lorry and crane can get close", "0"),
                ("Tight: a long crane reach or narrow side access", "3500"),
                ("Difficult: soil has to leave by hand or conveyor", "8000"),
            ],
        ),
        lookup_table("shell", [("small", 31000), ("family", 42000), ("large", 62000)]),
        lookup_table("heat_pump", [("small", 3200), ("family", 4200), ("large", 5600)]),
        lookup_table(
            "auto_cover", [("small", 6500), ("family", 8500), ("large", 11000)]
        ),
        value_step("pool", "shell[size] * shape"),
        value_step(
            "cover_cost",
            "0 if cover == 'none' else (1800 if cover == 'safety' "
            "else auto_cover[size])",
        ),
        value_step("options", "heating * heat_pump[size] + cover_cost"),
        value_step("paving_cost", "paving * paving_rate"),
        value_step("total", "pool + options + paving_cost + access"),
        result_block(
            "estimate",
            "Estimated price, ready to swim",
            "round(total * 0.95, -3)",
            "currency",
            "<p>From 5% under to 12% over our typical price for this choice: "
            "ground conditions and the exact paving layout explain most of the "
            "difference.</p>",
            upper="round(total * 1.12, -3)",
        ),
        result_block(
            "extras",
            "Of which options, paving and access",
            "options + paving_cost + access",
            "currency",
            "<p>The part of the price you control. The cover is usually the "
            "largest item, and it pays some of itself back in heating.</p>",
        ),
    ],
}

COVER_PAYBACK = {
    "title": "Does an automatic cover pay for itself?",
    "summary": (
        "Put in your heating bill and see how soon the savings of a pool cover "
        "repay its price, and what it returns each year."
    ),
    "intro": (
        "<p>A heated pool loses most of its heat through evaporation, and a "
        "cover stops most of that. Enter what you pay, or expect to pay, and "
        "see the payback period for yourself.</p>"
    ),
    "notes": (
        "<p>Savings depend on how often the cover is actually closed. The "
        "default of 55% assumes it is shut every night and on days nobody "
        "swims.</p>"
    ),
    "calculator": [
        number_input(
            "number",
            "cover_price",
            "Price of the cover, fitted",
            8500,
            500,
            30000,
            unit="£",
            step=100,
        ),
        number_input(
            "number",
            "monthly_heating",
            "Heating cost per month without a cover",
            450,
            0,
            3000,
            unit="£",
            help="In the months you heat the pool.",
        ),
        number_input(
            "slider",
            "months",
            "Months you heat the pool each year",
            5,
            1,
            12,
            unit="months",
            step=1,
        ),
        number_input(
            "slider",
            "saving_share",
            "Share of the heating bill the cover saves",
            55,
            10,
            80,
            unit="%",
            step=5,
        ),
        number_input(
            "number",
            "chemical_saving",
            "Savings on chemicals and top-up water per year",
            150,
            0,
            2000,
            unit="£",
        ),
        value_step(
            "yearly_saving",
            "monthly_heating * months * saving_share / 100 + chemical_saving",
        ),
        result_block(
            "saving",
            "Saving per year",
            "yearly_saving",
            "currency",
            "<p>Heating saved in the months you heat, plus what you no longer "
            "spend on chemicals and water.</p>",
        ),
        result_block(
            "payback",
            "Payback period",
            "cover_price / yearly_saving",
            "duration",
            "<p>The price of the cover divided by the saving per year.</p>",
            unit="years",
        ),
        result_block(
            "yearly_return",
            "Return per year on the price",
            "yearly_saving / cover_price",
            "percent",
            "<p>Compare it with what the same money earns in a savings account.</p>",
        ),
        result_block(
            "ten_years",
            "Net gain over ten years",
            "yearly_saving * 10 - cover_price",
            "currency",
            "<p>A slatted cover usually lasts ten years or more; this is what "
            "is left after it has paid for itself.</p>",
        ),
    ],
}

UNQUALIFIED_LEADS = {
    "title": "The cost of chasing unqualified leads",
    "summary": (
        "How many hours and how much money a sales team spends every year on "
        "leads that were never going to buy."
    ),
    "intro": (
        "<p>Every hour a salesperson spends chasing someone who was only "
        "browsing is an hour not spent with a buyer who is ready. Put in your "
        "own team's figures to see what that habit costs per person and for "
        "the whole team.</p>"
    ),
    "notes": (
        "<p>Salespeople commonly report five to seven hours a week on leads "
        "that go nowhere. Your own CRM history gives a firmer number: look at "
        "the time spent on prospects who never engaged before their first "
        "call.</p>"
    ),
    "calculator": [
        number_input(
            "number",
            "wasted_hours",
            "Hours per salesperson per week on leads that go nowhere",
            6,
            0,
            40,
            unit="hours",
            step=0.5,
        ),
        number_input("number", "reps", "Salespeople in the team", 8, 1, 500, step=1),
        number_input(
            "number",
            "annual_cost",
            "Fully loaded cost of one salesperson per year",
            65000,
            1000,
            1000000,
            unit="£",
            step=1000,
            help="Salary, commission, employer's taxes, benefits and tools.",
        ),
        number_input(
            "number",
            "weeks",
            "Working weeks per year",
            46,
            1,
            52,
            unit="weeks",
            step=1,
        ),
        number_input(
            "number",
            "weekly_hours",
            "Working hours per week",
            40,
            1,
            80,
            unit="hours",
            step=1,
        ),
        value_step("hourly_cost", "annual_cost / (weeks * weekly_hours)"),
        value_step("hours_per_rep", "wasted_hours * weeks"),
        result_block(
            "hours_year",
            "Hours lost per salesperson per year",
            "hours_per_rep",
            "number",
            "<p>Hours per week on dead-end leads times working weeks.</p>",
            decimals=0,
            unit="hours",
        ),
        result_block(
            "share",
            "Share of selling time",
            "wasted_hours / weekly_hours",
            "percent",
            "<p>The part of every working week that goes to leads that go nowhere.</p>",
        ),
        result_block(
            "cost_per_rep",
            "Cost per salesperson per year",
            "hours_per_rep * hourly_cost",
            "currency",
            "<p>Hours lost times the cost of one working hour (the yearly cost "
            "divided by weeks times hours).</p>",
        ),
        result_block(
            "cost_per_team",
            "Cost for the whole team per year",
            "hours_per_rep * hourly_cost * reps",
            "currency",
            "<p>The same for every salesperson in the team.</p>",
        ),
    ],
}


def question_block(text, answers, multiple=False, help_text=""):
    return {
        "type": "question",
        "value": {
            "question": text,
            "help": help_text,
            "multiple": multiple,
            "answers": [{"label": text, "weight": weight} for text, weight in answers],
        },
    }


def band_block(min_score, title, text="", pieces=()):
    return {
        "type": "band",
        "value": {
            "min_score": min_score,
            "title": title,
            "text": text,
            "next_pieces": [page.pk for page in pieces if page is not None],
        },
    }


FIT_QUESTIONS = [
    question_block(
        "How easily can a lorry and crane get near the garden?",
        [
            ("Easily: there is a drive or a road beside the garden", 3),
            ("With effort: a long reach or a narrow side passage", 2),
            ("Hardly: everything would go through the house", 0),
        ],
    ),
    question_block(
        "What is your budget for the whole project, paving included?",
        [
            ("Under £35,000", 0),
            ("£35,000 to £55,000", 2),
            ("£55,000 to £80,000", 3),
            ("Over £80,000", 3),
        ],
    ),
    question_block(
        "When would you like to swim in it?",
        [
            ("Within three months", 1),
            ("Next season", 3),
            ("No date yet: we are exploring", 1),
        ],
        help_text="Shells are made to order and the best install slots go early.",
    ),
    question_block(
        "Which of these matter to you?",
        [
            ("Little upkeep", 2),
            ("A short build, with the garden back quickly", 2),
            ("A shape drawn exactly to our own plan", -2),
            ("The lowest possible upfront price", -1),
        ],
        multiple=True,
    ),
    question_block(
        "What is the ground like?",
        [
            ("Ordinary soil", 2),
            ("Heavy clay", 1),
            ("Rock or a high water table", 0),
            ("We do not know", 1),
        ],
    ),
]


def _fit_bands(pages):
    return [
        band_block(
            0,
            "Worth a conversation before anything else",
            "<p>Some of your answers point to a harder or pricier project than "
            "a fibreglass pool usually is. That does not rule it out, but read "
            "about the limits first so a site visit starts from honest "
            "expectations.</p>",
            [pages.get("fibreglass-pool-problems"), pages.get("pool-in-clay-soil")],
        ),
        band_block(
            7,
            "A reasonable fit, with some homework",
            "<p>A fibreglass pool suits much of what you want. Check the price "
            "ranges against your budget and compare it with concrete before "
            "you ask for a quote.</p>",
            [pages.get("fibreglass-pool-prices"), pages.get("fibreglass-vs-concrete")],
        ),
        band_block(
            11,
            "A strong fit",
            "<p>Your garden, budget and timing match what a fibreglass pool "
            "does best. The buyer's guide walks you through every decision "
            "left, and the video shows what installation day looks like.</p>",
            [pages.get("guide"), pages.get("video")],
        ),
    ]


FIT_ASSESSMENT = {
    "title": "Is a fibreglass pool right for your garden?",
    "summary": (
        "Five quick questions on access, budget, timing and ground, with an "
        "honest answer and what to read next."
    ),
    "intro": (
        "<p>Two minutes, no email address. Your answers stay in your browser's "
        "address bar, so you can come back to your result or share it.</p>"
    ),
}


def _stream_changed(page, field_name, raw) -> bool:
    block = page._meta.get_field(field_name).stream_block
    current = block.get_prep_value(getattr(page, field_name))
    wanted = block.get_prep_value(block.to_python(raw))
    return _without_ids(current) != _without_ids(wanted)


def _without_ids(value):
    """A stored stream without block ids, list items in their plain form."""
    if isinstance(value, dict) and value.get("type") == "item" and "value" in value:
        return _without_ids(value["value"])
    if isinstance(value, dict):
        return {key: _without_ids(item) for key, item in value.items() if key != "id"}
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    return value


def _publish(parent: Page, model, *, slug: str, fields: dict, streams: dict):
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields, **streams)
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page
    changed = any(getattr(page, name) != value for name, value in fields.items())
    changed |= any(_stream_changed(page, name, raw) for name, raw in streams.items())
    if changed or not page.live:
        for name, value in {**fields, **streams}.items():
            setattr(page, name, value)
        page.draft_title = page.title
        page.save_revision().publish()
    return page


def load_calculators(home: Page, pages: dict) -> dict:
    """The demo tools area under ``home``; ``pages`` are the demo library's pieces.

    Returns the calculators and the assessment by slug.
    """
    area = ContentIndexPage.objects.child_of(home).filter(slug=TOOLS_SLUG).first()
    if area is None:
        area = ContentIndexPage(slug=TOOLS_SLUG, title=TOOLS_TITLE, intro=TOOLS_INTRO)
        home.add_child(instance=area)
        area.save_revision().publish()

    tools = {}
    for slug, spec in (
        ("pool-cost-estimator", POOL_COST),
        ("cover-payback-calculator", COVER_PAYBACK),
        ("cost-of-unqualified-leads", UNQUALIFIED_LEADS),
    ):
        fields = {key: value for key, value in spec.items() if key != "calculator"}
        tools[slug] = _publish(
            area,
            CalculatorPage,
            slug=slug,
            fields={**fields, "currency": "GBP"},
            streams={"calculator": spec["calculator"]},
        )
    tools["pool-fit-assessment"] = _publish(
        area,
        AssessmentPage,
        slug="pool-fit-assessment",
        fields={**FIT_ASSESSMENT, "layout": AssessmentPage.Layout.STEPS},
        streams={"questions": FIT_QUESTIONS, "bands": _fit_bands(pages)},
    )
    return tools
