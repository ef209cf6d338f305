"""Short codes: random base62 from ``secrets``, unique installation-wide, case-sensitive.

Eight characters give 62**8 (about 2.2 * 10**14) codes: at a million links a guess hits one in about
200 million tries, and the redirect reveals nothing else. Collisions are retried by the caller.
"""

import re
import secrets
import string

ALPHABET = string.digits + string.ascii_letters
LENGTH = 8
# What a code may look like in a URL: longer codes are accepted in case LENGTH grows later.
PATTERN = re.compile(r"[0-9A-Za-z]{7,16}")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def looks_like_code(text: str) -> bool:
    return bool(PATTERN.fullmatch(text or ""))
