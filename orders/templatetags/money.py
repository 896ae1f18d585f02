from django import template

register = template.Library()

SYMBOLS = {"USD": "$", "CAD": "CA$", "AUD": "A$", "EUR": "€", "GBP": "£"}
# Currencies whose minor unit is the unit itself.
ZERO_DECIMAL = {"JPY", "KRW"}


def money_format(amount_minor: int, currency: str) -> str:
    """An amount in minor units as people read it: $99.00, €12.50, 1500 JPY."""
    currency = (currency or "").upper()
    if currency in ZERO_DECIMAL:
        number = f"{amount_minor:,}"
    else:
        number = f"{amount_minor // 100:,}.{amount_minor % 100:02d}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency}"


@register.simple_tag
def money(amount_minor, currency):
    return money_format(int(amount_minor or 0), currency)
