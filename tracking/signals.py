"""Signals other apps subscribe to; tracking itself knows nobody who listens."""

from django.dispatch import Signal

#: Sent once, after commit, when a visitor's progress on a page first becomes
#: finished. Arguments: ``visitor_id`` (int), ``page_id`` (int) and
#: ``evidence`` (dict: kind, engaged seconds, expected seconds or video
#: seconds, the rule applied). Sender: ``tracking.models.VisitorPageProgress``.
piece_finished = Signal()
