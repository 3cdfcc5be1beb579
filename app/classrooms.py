"""Classrooms: which objects a class may draw, stored with SQLAlchemy 2 (SQLite by default, PostgreSQL by URL).

A classroom is a name, a list of object names, a short join code and a hashed teacher PIN. Nothing about a
child and no drawing is ever stored. Wrong PINs are throttled per browser and bounded per classroom
(``ClassroomStore.verify_pin``). The schema is versioned (table ``schema_version``): ``migrate`` applies
every step newer than the database's version, in order, inside a transaction, so an upgrade keeps every row.
"""

from __future__ import annotations

import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    func,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from werkzeug.security import check_password_hash, generate_password_hash

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read off a board and type
CODE_LENGTH = 6  # 31^6 = 887 million codes
NAME_MAX = 60
OBJECTS_MAX = 100
PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
# Wrong PINs (issue 28): children share the code on the board and often the school's address, so one browser's
# guesses lock only that browser; a hard bound per classroom stops guessing from many browsers (or from a script
# that drops its cookies), and a browser where the teacher once entered the PIN is exempt from that bound.
MAX_FAILED_PINS = 5  # wrong PINs from one browser within PIN_WINDOW before it must wait
PIN_WINDOW = timedelta(minutes=5)
MAX_CLASSROOM_PINS = 20  # wrong PINs from all untrusted browsers within CLASSROOM_WINDOW before all of them wait
CLASSROOM_WINDOW = timedelta(hours=1)
SCHEMA_VERSION = 3
RECOVERY_GROUPS = 3  # a recovery code: 3 groups of 4 letters from CODE_ALPHABET (59 bits: never guessed online)
MIGRATION_LOCK_KEY = 0x646F6F646C65  # PostgreSQL advisory lock held while migrating ('doodle')


class ClassroomError(ValueError):
    """Bad input for a classroom, with a message a teacher can act on."""


class PinLocked(Exception):
    """Too many wrong PINs: try again after ``until``."""

    def __init__(self, until: datetime):
        minutes = max(1, -int(-(until - _now()).total_seconds() // 60))  # rounded up
        super().__init__(f"too many wrong PINs; try again in {minutes} minute{'s' if minutes > 1 else ''}")
        self.until = until
        self.minutes = minutes


class Base(DeclarativeBase):
    pass


class Classroom(Base):
    __tablename__ = "classrooms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    objects: Mapped[list] = mapped_column(JSON)
    pin_hash: Mapped[str] = mapped_column(String(256))
    recovery_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)  # None: made before version 3
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PinTry(Base):
    """One PIN checked (or about to be) against a classroom: who tried (an opaque browser id) and when. Rows
    older than the longest window are deleted; the right PIN deletes the classroom's rows."""

    __tablename__ = "pin_tries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), index=True)
    client: Mapped[str] = mapped_column(String(64))
    trusted: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class ClassroomView:
    """What the app shows of a classroom (never the PIN hash)."""

    code: str
    name: str
    objects: list[str]
    # the recovery code, only as the classroom is made (it is stored hashed); never compared or printed
    recovery: str | None = field(default=None, compare=False, repr=False)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they were stored in UTC."""
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def normalize_code(raw) -> str:
    """A join code as typed ('abc-d2f ') -> 'ABCD2F'; ClassroomError when it cannot be one."""
    code = re.sub(r"[\s-]", "", str(raw or "")).upper()
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        raise ClassroomError(f"a classroom code is {CODE_LENGTH} letters and digits, like {new_code()}")
    return code


def new_code() -> str:
    """A random join code from the unambiguous alphabet."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_recovery_code() -> str:
    """A teacher's way in that no run of wrong PINs can lock: shown once when the classroom is made."""
    return "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(RECOVERY_GROUPS))


def normalize_recovery(raw) -> str:
    """A recovery code as typed (any case, spaces or dashes) -> its canonical XXXX-XXXX-XXXX form, or ""."""
    letters = "".join(c for c in str(raw or "").upper() if c.isalnum())
    if len(letters) != 4 * RECOVERY_GROUPS or any(c not in CODE_ALPHABET for c in letters):
        return ""
    return "-".join(letters[k:k + 4] for k in range(0, len(letters), 4))


def check_name(name) -> str:
    name = str(name or "").strip()
    if not name:
        raise ClassroomError("give the classroom a name")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch != "\u200d" for ch in name):  # ZWJ: emoji
        raise ClassroomError("the name has characters that cannot be shown; use letters, digits and punctuation")
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


# Each step takes a connection inside a transaction and brings the schema from version n - 1 to n. A step's
# tables are written out as they were at that version, never taken from today's models.
def _step_1(conn):
    """Version 1: the classrooms table (with a per-classroom count of wrong PINs)."""
    Table("classrooms", MetaData(),
          Column("id", Integer, primary_key=True),
          Column("code", String(16), unique=True, index=True, nullable=False),
          Column("name", String(NAME_MAX), nullable=False),
          Column("objects", JSON, nullable=False),
          Column("pin_hash", String(256), nullable=False),
          Column("failed_pins", Integer, nullable=False),
          Column("locked_until", DateTime(timezone=True), nullable=True),
          Column("created_at", DateTime(timezone=True), nullable=False),
          Column("updated_at", DateTime(timezone=True), nullable=False)).create(conn)


def _step_2(conn):
    """Version 2: wrong PINs are counted per browser and per classroom in ``pin_tries``, not in the classroom."""
    Table("pin_tries", MetaData(),
          Column("id", Integer, primary_key=True),
          Column("code", String(16), index=True, nullable=False),
          Column("client", String(64), nullable=False),
          Column("trusted", Boolean, nullable=False),
          Column("at", DateTime(timezone=True), nullable=False)).create(conn)
    conn.execute(text("ALTER TABLE classrooms DROP COLUMN failed_pins"))
    conn.execute(text("ALTER TABLE classrooms DROP COLUMN locked_until"))


def _step_3(conn):
    """Version 3: a recovery code per classroom (hashed; classrooms made before have none)."""
    conn.execute(text("ALTER TABLE classrooms ADD COLUMN recovery_hash VARCHAR(256)"))


MIGRATIONS = {1: _step_1, 2: _step_2, 3: _step_3}


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


SQLITE_START_TRIES = 20  # opening a SQLite file that another server holds locked: tries, ~10 s in all


class ClassroomStore:
    """Create, read, change and delete classrooms; check teacher PINs with a lock after repeated failures."""

    def __init__(self, url: str):
        """Open (and migrate) the database at a SQLAlchemy URL."""
        self.engine = create_engine(url, pool_pre_ping=True)
        sqlite = self.engine.dialect.name == "sqlite"
        if sqlite:
            event.listen(self.engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA journal_mode=WAL"))
        for attempt in range(SQLITE_START_TRIES):
            try:
                migrate(self.engine)
                break
            except Exception as exc:
                self.engine.dispose()
                # several servers opening a new SQLite file at once: one switching it to WAL or migrating can
                # leave another "database is locked" at once, past any busy timeout; it tries again shortly
                locked = sqlite and isinstance(exc, OperationalError) and "locked" in str(exc)
                if not locked or attempt + 1 == SQLITE_START_TRIES:
                    raise
                time.sleep(0.05 * (attempt + 1))
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def answers(self) -> bool:
        """Whether the database answers a trivial query right now."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except DBAPIError:
            return False

    def close(self) -> None:
        """Close the pooled database connections."""
        self.engine.dispose()

    @staticmethod
    def _view(room: Classroom) -> ClassroomView:
        return ClassroomView(room.code, room.name, list(room.objects))

    def create(self, name, objects, pin, available) -> ClassroomView:
        """A new classroom with a fresh, unused join code; the view carries its recovery code, this once."""
        name, objects, pin = check_name(name), check_objects(objects, available), check_pin(pin)
        recovery = new_recovery_code()
        for _ in range(10):
            now = _now()
            room = Classroom(code=new_code(), name=name, objects=objects, pin_hash=generate_password_hash(pin),
                             recovery_hash=generate_password_hash(recovery), created_at=now, updated_at=now)
            try:
                with self.sessions.begin() as session:
                    session.add(room)
                return ClassroomView(room.code, room.name, list(room.objects), recovery)
            except IntegrityError:  # the code was taken: draw another
                continue
        raise RuntimeError("could not find a free classroom code")

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

    def verify_pin(self, code, pin, client: str = "", trusted: bool = False) -> bool:
        """True for the right PIN, typed in the browser ``client`` (an opaque id); ``trusted``: the teacher
        entered this classroom's PIN in that browser before. Raises PinLocked instead of checking when
        - this browser has had MAX_FAILED_PINS wrong PINs within PIN_WINDOW (children locking themselves out), or
        - untrusted browsers have had MAX_CLASSROOM_PINS wrong PINs within CLASSROOM_WINDOW (the hard bound on
          guessing; a trusted browser is not held by it, so the teacher still gets in).
        The tries are counted and this one written in one transaction holding the classroom's row lock (SQLite:
        the database's write lock), so concurrent guesses on every app server count one each and no more than
        the bounds are ever checked; a refused try is not written and never prolongs a lock. The right PIN
        clears the classroom's tries."""
        code = normalize_code(code)
        now = _now()
        client = str(client or "anonymous")[:64]
        tries = PinTry.__table__
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            pin_hash = conn.scalar(select(Classroom.pin_hash).where(Classroom.code == code).with_for_update())
            if pin_hash is None:
                raise LookupError(code)
            conn.execute(delete(tries).where(tries.c.code == code, tries.c.at <= now - CLASSROOM_WINDOW))
            self._may_try(conn, code, client, trusted, now)
            conn.execute(tries.insert().values(code=code, client=client, trusted=bool(trusted), at=now))
        if PIN_PATTERN.match(str(pin or "").strip()) and check_password_hash(pin_hash, str(pin).strip()):
            with self.engine.begin() as conn:
                conn.execute(delete(tries).where(tries.c.code == code))
            return True
        return False

    def verify_recovery(self, code, recovery) -> bool:
        """True for the classroom's recovery code. Never locked by wrong PINs (children cannot spend it) and not
        counted: 59 bits are not guessed online. The right code clears the classroom's PIN tries."""
        code, recovery = normalize_code(code), normalize_recovery(recovery)
        with self.engine.begin() as conn:
            stored = conn.scalar(select(Classroom.recovery_hash).where(Classroom.code == code))
            if stored is None and not conn.scalar(select(func.count()).where(Classroom.code == code)):
                raise LookupError(code)
            if not (recovery and stored and check_password_hash(stored, recovery)):
                return False
            conn.execute(delete(PinTry.__table__).where(PinTry.__table__.c.code == code))
            return True

    @staticmethod
    def _may_try(conn, code: str, client: str, trusted: bool, now: datetime) -> None:
        """Raise PinLocked when one more try would be over a bound."""
        tries = PinTry.__table__
        mine = (tries.c.code == code) & (tries.c.client == client) & (tries.c.at > now - PIN_WINDOW)
        everyone = (tries.c.code == code) & tries.c.trusted.is_(False) & (tries.c.at > now - CLASSROOM_WINDOW)
        for where, bound, window in ((mine, MAX_FAILED_PINS, PIN_WINDOW),
                                     (None if trusted else everyone, MAX_CLASSROOM_PINS, CLASSROOM_WINDOW)):
            if where is None:
                continue
            count = conn.scalar(select(func.count()).where(where))
            if count >= bound:  # free again when the try that brought it to the bound leaves the window
                oldest = conn.scalars(select(tries.c.at).where(where).order_by(tries.c.at, tries.c.id)
                                      .limit(count - bound + 1)).all()[-1]
                raise PinLocked(_aware(oldest) + window)

    def _room(self, session, code) -> Classroom:
        code = normalize_code(code)
        room = session.scalar(select(Classroom).where(Classroom.code == code))
        if room is None:
            raise LookupError(code)
        return room


DATABASE_RETRY_AFTER = 30  # seconds a client is asked to wait when the classroom database does not answer


def current_classrooms() -> ClassroomStore:
    """The app's classroom store, made once by ``create_app`` (the accessor lives with the store, as flaskr's
    ``get_db``)."""
    return current_app.extensions["doodle_classrooms"]


def find_classroom(code):
    """The classroom a code names, as anyone may type it (spaces, lower case), or None: no such classroom, or not
    a classroom code at all (``normalize_code`` says why, for an API's 400)."""
    try:
        return current_classrooms().get(code)
    except ClassroomError:
        return None
