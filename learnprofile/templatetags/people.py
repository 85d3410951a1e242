"""Template filters for values shown to people, all through learnprofile.formatting:
`{% load people %}` then `{{ credential.issued_at|people_date }}`, `|people_datetime`,
`|people_long_date`, `|people_long_datetime` (a session: weekday, day and time),
`|people_time`, `|people_end_time:<start>` (an end time, "(hôm sau)" on a later day),
`|people_number`, `|people_percent`, `|people_money`.

`people_number` and `people_percent` take the decimal places as their argument, as
`floatformat` does: `|people_number:1` always one place, `|people_number:"-1"` at most one."""

from django import template

from learnprofile import formatting

register = template.Library()

register.filter("people_date", formatting.date_for_people)
register.filter("people_long_date", formatting.long_date_for_people)
register.filter("people_long_datetime", formatting.long_datetime_for_people)
register.filter("people_datetime", formatting.datetime_for_people)
register.filter("people_time", formatting.time_for_people)
register.filter("people_money", formatting.money_for_people)
register.filter("people_end_time", formatting.end_time_for_people)


def _places(decimal_places: int | str | None) -> int | None:
    """A template passes the argument as written: `:1` is an int, `:"-1"` a string."""
    if decimal_places is None or decimal_places == "":
        return None
    return int(decimal_places)


@register.filter
def people_number(value: formatting.Number, decimal_places: int | str | None = None) -> str:
    return formatting.number_for_people(value, _places(decimal_places))


@register.filter
def people_percent(value: formatting.Number, decimal_places: int | str | None = None) -> str:
    return formatting.percent_for_people(value, _places(decimal_places))
