"""Classrooms: which objects a class may draw, stored with SQLAlchemy 2 (SQLite by default, PostgreSQL by URL).

A classroom is a name, a list of object names, a short join code and a hashed teacher PIN. Nothing about a
child and no drawing is ever stored. The schema is versioned (table ``schema_version``): ``migrate`` applies
every step newer than the database's version, in order, inside a transaction, so an upgrade keeps every row.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import JSON, DateTime, Integer, String, create_engine, event, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from werkzeug.security import check_password_hash, generate_password_hash

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read off a board and type
CODE_LENGTH = 6  # 31^6 = 887 million codes
NAME_MAX = 60
OBJECTS_MAX = 100
PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
MAX_FAILED_PINS = 5  # wrong PINs in a row before the classroom's PIN is locked for a while
PIN_LOCK = timedelta(minutes=5)
SCHEMA_VERSION = 1
MIGRATION_LOCK_KEY = 0x646F6F646C65  # PostgreSQL advisory lock held while migrating ('doodle')


class ClassroomError(ValueError):
    """Bad input for a classroom, with a message a teacher can act on."""


class PinLocked(Exception):
    """Too many wrong PINs: try again after ``until``."""

    def __init__(self, until: datetime):
        super().__init__(f"too many wrong PINs; try again after {until:%H:%M} UTC")
        self.until = until


class Base(DeclarativeBase):
    pass


class Classroom(Base):
    __tablename__ = "classrooms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    objects: Mapped[list] = mapped_column(JSON)
    pin_hash: Mapped[str] = mapped_column(String(256))
    failed_pins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class ClassroomView:
    """What the app shows of a classroom (never the PIN hash)."""

    code: str
    name: str
    objects: list[str]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they were stored in UTC."""
    return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)


def normalize_code(raw) -> str:
    """A join code as typed ('abc-d2f ') -> 'ABCD2F'; ClassroomError when it cannot be one."""
    code = re.sub(r"[\s-]", "", str(raw or "")).upper()
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        raise ClassroomError(f"a class code is {CODE_LENGTH} letters and digits, like {new_code()}")
    return code


def new_code() -> str:
    """A random join code from the unambiguous alphabet."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def check_name(name) -> str:
    name = str(name or "").strip()
    if not name:
        raise ClassroomError("give the classroom a name")
    if len(name) > NAME_MAX:
        raise ClassroomError(f"the name is too long (at most {NAME_MAX} characters)")
    return name


def check_objects(objects, available) -> list[str]:
    objects = [str(o) for o in (objects or [])]
    if not objects:
        raise ClassroomError("choose at least one object")
    unknown = sorted(set(objects) - set(available))
    if unknown:
        raise ClassroomError(f"these objects are not available: {', '.join(unknown)}")
    if len(objects) > OBJECTS_MAX:
        raise ClassroomError("too many objects")
    return sorted(set(objects))


def check_pin(pin) -> str:
    pin = str(pin or "").strip()
    if not PIN_PATTERN.match(pin):
        raise ClassroomError("the PIN is 4 to 8 digits")
    return pin


# Each step takes a connection inside a transaction and brings the schema from version n - 1 to n.
def _step_1(conn):
    """Version 1: the classrooms table."""
    Base.metadata.create_all(conn, tables=[Classroom.__table__])


MIGRATIONS = {1: _step_1}


def migrate(engine) -> int:
    """Bring the database to SCHEMA_VERSION; returns the version it was at before."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # several workers or servers starting on a new database migrate one at a time, never racing in
            # CREATE TABLE IF NOT EXISTS (which can fail with a unique violation in pg_type); released at commit
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        elif engine.dialect.name == "sqlite":  # take SQLite's write lock now (its driver would only at the insert)
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        conn.execute(text("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
        row = conn.execute(text("SELECT MAX(version) FROM schema_version")).scalar()
        before = int(row or 0)
        if before > SCHEMA_VERSION:
            raise RuntimeError(f"the database's schema is version {before}, newer than this app "
                               f"({SCHEMA_VERSION}): upgrade the app")
        for version in range(before + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[version](conn)
            conn.execute(text("INSERT INTO schema_version (version) VALUES (:v)"), {"v": version})
    return before


class ClassroomStore:
    """Create, read, change and delete classrooms; check teacher PINs with a lock after repeated failures."""

    def __init__(self, url: str):
        """Open (and migrate) the database at a SQLAlchemy URL."""
        self.engine = create_engine(url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA journal_mode=WAL"))
        try:
            migrate(self.engine)
        except Exception:
            self.engine.dispose()
            raise
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        """Close the pooled database connections."""
        self.engine.dispose()

    @staticmethod
    def _view(room: Classroom) -> ClassroomView:
        return ClassroomView(room.code, room.name, list(room.objects))

    def create(self, name, objects, pin, available) -> ClassroomView:
        """A new classroom with a fresh, unused join code."""
        name, objects, pin = check_name(name), check_objects(objects, available), check_pin(pin)
        for _ in range(10):
            now = _now()
            room = Classroom(code=new_code(), name=name, objects=objects, pin_hash=generate_password_hash(pin),
                             failed_pins=0, created_at=now, updated_at=now)
            try:
                with self.sessions.begin() as session:
                    session.add(room)
                return self._view(room)
            except IntegrityError:  # the code was taken: draw another
                continue
        raise RuntimeError("could not find a free class code")

    def get(self, code) -> ClassroomView | None:
        """The classroom with this code, or None."""
        code = normalize_code(code)
        with self.sessions() as session:
            room = session.scalar(select(Classroom).where(Classroom.code == code))
            return None if room is None else self._view(room)

    def update(self, code, name, objects, available) -> ClassroomView:
        """Change a classroom's name and objects."""
        name, objects = check_name(name), check_objects(objects, available)
        with self.sessions.begin() as session:
            room = self._room(session, code)
            room.name, room.objects, room.updated_at = name, objects, _now()
            return self._view(room)

    def delete(self, code) -> None:
        with self.sessions.begin() as session:
            session.delete(self._room(session, code))

    def verify_pin(self, code, pin) -> bool:
        """True for the right PIN. At most MAX_FAILED_PINS PINs are checked against a classroom per lock: each
        check first takes a try by an atomic ``failed_pins + 1`` in the database (so concurrent guesses on every
        app server count one each, never read-add-write), and a try past the limit is refused unchecked. The
        last wrong try locks the PIN for PIN_LOCK (raises PinLocked); the right PIN clears the count."""
        code = normalize_code(code)
        now = _now()
        with self.sessions.begin() as session:
            room = self._room(session, code)
            locked = _aware(room.locked_until)
            if locked and locked > now:
                raise PinLocked(locked)
            if room.locked_until is not None:  # the lock ran out: a fresh count, set by whoever sees it first
                session.execute(update(Classroom).where(Classroom.id == room.id,
                                                        Classroom.locked_until == room.locked_until)
                                .values(failed_pins=0, locked_until=None))
        with self.sessions.begin() as session:
            tries, pin_hash = session.execute(
                update(Classroom).where(Classroom.code == code).values(failed_pins=Classroom.failed_pins + 1)
                .returning(Classroom.failed_pins, Classroom.pin_hash)).one()
        if tries > MAX_FAILED_PINS:  # the tries of this lock are used up (by concurrent guesses): refused unchecked
            raise PinLocked(self._lock(code, now))
        if PIN_PATTERN.match(str(pin or "").strip()) and check_password_hash(pin_hash, str(pin).strip()):
            with self.sessions.begin() as session:
                session.execute(update(Classroom).where(Classroom.code == code)
                                .values(failed_pins=0, locked_until=None))
            return True
        if tries == MAX_FAILED_PINS:
            self._lock(code, now)
        return False

    def _lock(self, code: str, now: datetime) -> datetime:
        """Lock the classroom's PIN until now + PIN_LOCK unless it is locked already; returns until when."""
        with self.sessions.begin() as session:
            session.execute(update(Classroom).where(Classroom.code == code, Classroom.locked_until.is_(None))
                            .values(locked_until=now + PIN_LOCK))
            return _aware(session.scalar(select(Classroom.locked_until).where(Classroom.code == code))) or now + PIN_LOCK

    def _room(self, session, code) -> Classroom:
        code = normalize_code(code)
        room = session.scalar(select(Classroom).where(Classroom.code == code))
        if room is None:
            raise LookupError(code)
        return room
