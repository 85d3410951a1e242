"""Template filters for values shown to people, all through learnprofile.formatting:
`{% load people %}` then `{{ credential.issued_at|people_date }}`, `|people_datetime`,
`|people_long_date`, `|people_time`, `|people_number`, `|people_percent`, `|people_money`."""

from django import template

from learnprofile import formatting

register = template.Library()

register.filter("people_date", formatting.date_for_people)
register.filter("people_long_date", formatting.long_date_for_people)
register.filter("people_datetime", formatting.datetime_for_people)
register.filter("people_time", formatting.time_for_people)
register.filter("people_money", formatting.money_for_people)


@register.filter
def people_number(value: formatting.Number, decimal_places: int | None = None) -> str:
    return formatting.number_for_people(value, decimal_places)


@register.filter
def people_percent(value: formatting.Number, decimal_places: int | None = None) -> str:
    return formatting.percent_for_people(value, decimal_places)
