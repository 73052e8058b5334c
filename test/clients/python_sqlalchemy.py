#!/usr/bin/python3
"""test/clients/python_sqlalchemy.py: flagforge from SQLAlchemy 1.4 (Core and ORM, psycopg2 driver).

Also drives the FastAPI-style dependency of the README's Recipes by hand (no FastAPI
needed): a generator that opens a transaction, sets the request's context and
yields the session. Run by test/clients/run.sh; prints `ok - ...` lines.
"""

import os

import sqlalchemy
from sqlalchemy import (Boolean, Column, Integer, Numeric, Text, bindparam, cast, create_engine,
                        func, select, text)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, declarative_base, sessionmaker

import tap

tap.prefix("sqlalchemy")
tap.ok(sqlalchemy.__version__.startswith("1.4"), "SQLAlchemy is 1.4 (%s)" % sqlalchemy.__version__)

ACME_USER_42 = {"new_dashboard": True, "beta_checkout": True, "dark_mode": True,
                "beta_reports": False, "gradual_search": True}
GLOBEX_7 = {"new_dashboard": False, "beta_checkout": True, "dark_mode": True,
            "beta_reports": True, "gradual_search": False}

engine = create_engine(URL.create(
    "postgresql+psycopg2", username=os.environ.get("PGUSER"), host=os.environ.get("PGHOST"),
    port=int(os.environ.get("PGPORT", "5432")), database=tap.dbname()), future=True)
SessionLocal = sessionmaker(bind=engine, future=True)

Base = declarative_base()


class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    tenant_id = Column(Text, nullable=False)
    user_id = Column(Integer, nullable=False)
    total = Column(Numeric(10, 2), nullable=False)


# --- Core: text() with bound parameters ---------------------------------------------------------
with engine.connect() as conn:
    flags = conn.execute(
        text("SELECT flagforge_evaluate_all(:tenant, :user_id, :groups, :env)"),
        {"tenant": "acme", "user_id": "user_42", "groups": ["beta"], "env": "production"},
    ).scalar_one()
tap.ok(type(flags) is dict and all(type(v) is bool for v in flags.values()),
       "text() + bound params: evaluate_all is a dict of bools", flags)
tap.eq(flags, ACME_USER_42, "text(): acme/user_42/['beta']/production")

# --- Core: sqlalchemy.func ------------------------------------------------------------------------
with engine.connect() as conn:
    flags = conn.execute(select(func.flagforge_evaluate_all("acme", "user_42", ["beta"], "production"))
                         ).scalar_one()
    tap.eq(flags, ACME_USER_42, "func.flagforge_evaluate_all(...) with a Python list is a dict")
    typed = conn.execute(select(func.flagforge_evaluate_all(
        "globex", "7", bindparam("g", [], type_=ARRAY(Text)), "production", type_=JSONB))).scalar_one()
    tap.eq(typed, GLOBEX_7, "func.flagforge_evaluate_all(..., type_=JSONB) with a typed empty text[]")
    on = conn.execute(select(func.flagforge_is_enabled("beta_checkout", "globex", "7"))).scalar_one()
    tap.eq(on, True, "func.flagforge_is_enabled(...) is a Python bool")
    public = conn.execute(select(func.flagforge_evaluate_all(
        "acme", None, None, "production", text("public_only => true")))).scalar_one()
    tap.eq(public, {"new_dashboard": False, "dark_mode": True},
           "public_only as a named argument (anonymous user): only is_public flags")


# --- a per-request session: context set in the transaction ---------------------------------------
def set_flag_context(session, tenant, user_id=None, groups=(), environment=None):
    """The request's flag context, for this transaction only (SET LOCAL semantics)."""
    session.execute(
        text("SELECT set_config('flagforge.tenant', :t, true), set_config('flagforge.user_id', :u, true),"
             " set_config('flagforge.groups', :g, true), set_config('flagforge.environment', :e, true)"),
        {"t": tenant, "u": user_id or "", "g": ",".join(groups), "e": environment or ""})


with Session(engine, future=True) as session:
    with session.begin():
        set_flag_context(session, "acme", "user_42", ["beta"], "production")
        flags = session.execute(select(func.flagforge_evaluate_all())).scalar_one()
        beta = session.execute(text("SELECT flagforge_is_enabled('beta_checkout')")).scalar_one()
    tap.eq(flags, ACME_USER_42, "session.begin() + set_config: func.flagforge_evaluate_all() from settings")
    tap.eq(beta, True, "session.begin() + set_config: flagforge_is_enabled(key) from settings")

    def next_transaction():
        with session.begin():
            session.execute(text("SELECT flagforge_evaluate_all()"))

    err = tap.raises(next_transaction, "the next transaction has no context: 22004",
                     pgcode="22004", exc_type=DBAPIError)
    tap.ok(err is not None and "SET LOCAL flagforge.tenant" in (err.orig.diag.message_hint or ""),
           "the error's hint reaches SQLAlchemy's DBAPIError.orig", err)


# --- the FastAPI dependency of the README's Recipes, driven as FastAPI drives it ----------------------------
def get_flag_session(tenant, user_id=None, groups=(), environment="production"):
    # In FastAPI: def get_flag_session(request: Request): ... with the values from the request.
    with SessionLocal() as session, session.begin():
        set_flag_context(session, tenant, user_id, groups, environment)
        yield session


def read_flags(session):                      # the endpoint replacing GET /api/flags/
    return session.execute(select(func.flagforge_evaluate_all())).scalar_one()


dependency = get_flag_session("globex", "7")
response = read_flags(next(dependency))
dependency.close()                             # FastAPI closes the generator after the response
tap.eq(response, GLOBEX_7, "a FastAPI-style dependency (generator) sets the context per request")

# --- ORM: rows gated by a flag --------------------------------------------------------------------
with Session(engine, future=True) as session:
    beta_orders = session.scalars(
        select(Order)
        .where(func.flagforge_is_enabled("beta_checkout", Order.tenant_id, cast(Order.user_id, Text)))
        .order_by(Order.id)).all()
    tap.eq([o.id for o in beta_orders], [1, 2, 3, 6], "ORM: orders filtered by func.flagforge_is_enabled")
    tap.ok(all(isinstance(o, Order) for o in beta_orders), "ORM: the rows are Order objects")
    acme_total = session.execute(
        select(func.sum(Order.total))
        .where(Order.tenant_id == "acme",
               func.flagforge_is_enabled("beta_checkout", Order.tenant_id, cast(Order.user_id, Text),
                                         type_=Boolean))).scalar_one()
    tap.eq(str(acme_total), "30.00", "ORM: aggregate over gated rows with another filter")
    flagged = session.execute(
        select(Order.id, func.flagforge_is_enabled("beta_checkout", Order.tenant_id,
                                                   cast(Order.user_id, Text)).label("beta"))
        .order_by(Order.id)).all()
    tap.eq([(r.id, r.beta) for r in flagged],
           [(1, True), (2, True), (3, True), (4, False), (5, False), (6, True)],
           "ORM: the flag as a selected column per row")

engine.dispose()
tap.done()
