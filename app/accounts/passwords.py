"""Password hashing with argon2id (memory-hard); long passwords are hashed whole."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 10
MAX_LENGTH = 1024

_default = PasswordHasher()
# Tests hash hundreds of passwords; the cheap parameters are used only under TestConfig.
_fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _hasher() -> PasswordHasher:
    return _fast if current_app.config.get("ROSTER_PASSWORD_HASH_FAST") else _default


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with no hash (no such user) always False, after the same
    work as a real check: otherwise a wrong password took 0.5 s and an unknown username 0.05 s,
    and the difference told anyone which usernames exist."""
    hasher = _hasher()
    try:
        if password_hash is None:
            hasher.verify(_dummy_hash(hasher), password)
            return False
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random secret, made once per hasher with its parameters: verifying against it
    costs what verifying against a user's hash costs, and no password matches it."""
    return hasher.hash(secrets.token_urlsafe(32))


def password_problem(password: str) -> str | None:
    """A Chinese sentence saying what is wrong with a new password, or None."""
    if len(password) < MIN_LENGTH:
        return f"密码至少需要 {MIN_LENGTH} 个字符"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 个字符"
    if password.isdigit():
        return "密码不能全是数字，请加入字母或符号"
    return None
