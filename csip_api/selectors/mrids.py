"""mRIDs for resources the server derives rather than stores (FSAs, ResponseSets)."""

import hashlib


def derived_mrid(*parts: object) -> str:
    """A HexBinary128 mRID that is the same every time it is derived from the same parts."""
    text = "/".join(str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:32].upper()
