"""Exact splitting of a target over children, by weights.

Pure functions, no ORM: the decomposition wizard calls them and the
property-based tests drive them with arbitrary trees.
"""

from decimal import ROUND_HALF_UP, Decimal


def split_exact(total, weights, digits):
    """Split ``total`` over ``weights`` so the parts sum exactly to it.

    Amounts are counted in units of the currency's precision (``digits``
    decimals): each part gets the floor of its exact share in units, then the
    units left over go one by one to the largest remainders (ties to the
    earliest part). Parts are never negative and add up to ``total`` rounded
    to ``digits``, to the unit. Weights are shares of any scale; when they
    are all zero the split is equal. A negative total or weight is refused.

    >>> split_exact(100, [1, 1, 1], 2)
    [33.34, 33.33, 33.33]
    """
    if not weights:
        raise ValueError("nothing to split over")
    if total < 0:
        raise ValueError("a target cannot be negative")
    if any(weight < 0 for weight in weights):
        raise ValueError("a weight cannot be negative")
    quantum = Decimal(1).scaleb(-digits)
    units = int(
        (Decimal(str(total)).quantize(quantum, rounding=ROUND_HALF_UP)).scaleb(digits)
    )
    exact = [Decimal(str(weight)) for weight in weights]
    if not any(exact):
        exact = [Decimal(1)] * len(weights)
    weight_sum = sum(exact)
    floors, remainders = [], []
    for index, weight in enumerate(exact):
        share, remainder = divmod(units * weight, weight_sum)
        floors.append(int(share))
        remainders.append((remainder, -index))
    left = units - sum(floors)
    for _remainder, negative_index in sorted(remainders, reverse=True)[:left]:
        floors[-negative_index] += 1
    return [float(Decimal(part).scaleb(-digits)) for part in floors]
