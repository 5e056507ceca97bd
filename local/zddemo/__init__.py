"""``make demo``: the seed's whole flow against the local stack, step by step."""
