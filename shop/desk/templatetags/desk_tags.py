"""The desk's rules as templates read them."""

from django import template

from shop.desk import roles

register = template.Library()
register.filter("sees_desk", roles.sees_desk)
