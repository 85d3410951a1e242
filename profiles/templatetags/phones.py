"""`{% load phones %}` then `{{ person.phone|phone_display }}`: a stored E.164 number as
people in Vietnam read it (`+84912345678` -> `0912 345 678`); see `profiles.phone`."""

from django import template

from profiles.phone import phone_display

register = template.Library()

register.filter("phone_display", phone_display)
