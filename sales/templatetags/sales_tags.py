from django import template

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Seconds as a reader would say them: '45 s', '3 min', '1 h 20 min'."""
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        return ""
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
