#!/usr/bin/python3
"""test/clients/python_django.py: flagforge from Django 3.2 (standalone settings, psycopg2 backend).

Shows the middleware of the README's Recipes (SET LOCAL per request in transaction.atomic()),
a view rendering a template from the flags, raw cursor calls, and querysets
gated by flagforge_is_enabled. Run by test/clients/run.sh; prints `ok - ...` lines.
"""

import json
import os
import types

import django
from django.conf import settings

import tap

tap.prefix("django")

settings.configure(
    DATABASES={"default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": tap.dbname(),
        "HOST": os.environ["PGHOST"],
        "PORT": os.environ.get("PGPORT", "5432"),
        "USER": os.environ.get("PGUSER", "postgres"),
    }},
    INSTALLED_APPS=["django.contrib.contenttypes"],
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
    USE_TZ=True,
)
django.setup()

from django.db import connection, models, transaction                     # noqa: E402
from django.db.models import BooleanField, F, Func, TextField, Value        # noqa: E402
from django.db.models.functions import Cast                                 # noqa: E402
from django.db.utils import DatabaseError                                   # noqa: E402
from django.template import engines                                         # noqa: E402

tap.ok(django.VERSION[:2] == (3, 2), "Django is 3.2 (%s)" % django.get_version())

ACME_USER_42 = {"new_dashboard": True, "beta_checkout": True, "dark_mode": True,
                "beta_reports": False, "gradual_search": True}
GLOBEX_7 = {"new_dashboard": False, "beta_checkout": True, "dark_mode": True,
            "beta_reports": True, "gradual_search": False}


class Order(models.Model):
    tenant_id = models.TextField()
    user_id = models.IntegerField()
    total = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        app_label = "shop"
        db_table = "orders"
        managed = False


class FlagEnabled(Func):
    """flagforge_is_enabled(key, tenant_id, user_id::text) as a boolean expression."""
    function = "flagforge_is_enabled"
    output_field = BooleanField()

    def __init__(self, flag_key, tenant, user, **extra):
        super().__init__(Value(flag_key), tenant, Cast(user, TextField()), **extra)


# --- the helpers of the README's Recipes ------------------------------------------------------------------
def _jsonb(value):
    # Django >= 3.1.1 turns off psycopg2's jsonb decoding on its connections (JSONField decodes
    # itself), so a raw cursor returns jsonb as a str.
    return json.loads(value) if isinstance(value, str) else value


def evaluate_all():
    with connection.cursor() as cur:
        cur.execute("SELECT flagforge_evaluate_all()")
        return _jsonb(cur.fetchone()[0])


def flag_enabled(key):
    with connection.cursor() as cur:
        cur.execute("SELECT flagforge_is_enabled(%s)", [key])
        return cur.fetchone()[0]


class FlagContextMiddleware:
    """Sets the request's flag context for the request's transaction (SET LOCAL semantics)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        user_id = str(user.pk) if user.is_authenticated else ""
        groups = ",".join(user.groups) if user.is_authenticated else ""
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT set_config('flagforge.tenant', %s, true),"
                    "       set_config('flagforge.user_id', %s, true),"
                    "       set_config('flagforge.groups', %s, true),"
                    "       set_config('flagforge.environment', %s, true)",
                    [request.tenant_id, user_id, groups, "production"])
            return self.get_response(request)


CHECKOUT = engines["django"].from_string(
    "{% if flags.beta_checkout %}checkout_v2{% else %}checkout{% endif %}"
    "{% if flags.dark_mode %} dark{% endif %}")


def checkout_view(request):
    request.flags = evaluate_all()
    return CHECKOUT.render({"flags": request.flags}, request)


def fake_request(tenant_id, pk, groups=(), authenticated=True):
    user = types.SimpleNamespace(pk=pk, is_authenticated=authenticated, groups=list(groups))
    return types.SimpleNamespace(tenant_id=tenant_id, user=user)


# --- raw cursor with arguments --------------------------------------------------------------------
with connection.cursor() as cur:
    cur.execute("SELECT flagforge_evaluate_all(%s, %s, %s, %s)", ["acme", "user_42", ["beta"], "production"])
    raw = cur.fetchone()[0]
print("# Django's cursor returns jsonb as %s" % type(raw).__name__)
tap.ok(isinstance(raw, (str, dict)), "connection.cursor(): evaluate_all arrives (as %s)" % type(raw).__name__)
tap.eq(_jsonb(raw), ACME_USER_42, "connection.cursor(): evaluate_all for acme/user_42/['beta']")
with connection.cursor() as cur:
    cur.execute("SELECT flagforge_evaluate_all(%s, %s, %s, %s)::text", ["globex", "7", [], "production"])
    tap.eq(json.loads(cur.fetchone()[0]), GLOBEX_7, "evaluate_all(...)::text + json.loads")

# --- the middleware: one request ------------------------------------------------------------------
middleware = FlagContextMiddleware(checkout_view)
req = fake_request("acme", "user_42", ["beta"])
body = middleware(req)
tap.eq(req.flags, ACME_USER_42, "middleware + evaluate_all() in the view: acme/user_42")
tap.eq(body, "checkout_v2 dark", "the template picks checkout_v2 from flags.beta_checkout")
body = middleware(fake_request("globex", 9))
tap.eq(body, "checkout dark", "the next request (globex, user 9) gets its own answer")
inner = FlagContextMiddleware(lambda request: flag_enabled("beta_checkout"))
tap.eq(inner(fake_request("globex", 7)), True, "flagforge_is_enabled(key) inside the middleware's transaction")
tap.eq(inner(fake_request("globex", 7, authenticated=False)), False, "an anonymous user gets the tenant's answer")
tap.ok(connection.get_autocommit() and not connection.in_atomic_block,
       "after the request Django is back in autocommit")
err = tap.raises(evaluate_all, "after the request the context is gone: 22004",
                 pgcode="22004", exc_type=DatabaseError)
hint = getattr(getattr(err, "__cause__", None), "diag", None)
tap.ok(hint is not None and "SET LOCAL flagforge.tenant" in (hint.message_hint or ""),
       "the hint is on the psycopg2 error behind Django's", err)

# --- querysets gated by a flag --------------------------------------------------------------------
qs = Order.objects.annotate(
    beta=Func(Value("beta_checkout"), F("tenant_id"), Cast("user_id", TextField()),
              function="flagforge_is_enabled", output_field=BooleanField()),
).filter(beta=True).order_by("id")
tap.eq(list(qs.values_list("id", flat=True)), [1, 2, 3, 6], "annotate(Func(...)).filter(beta=True)")
tap.eq(list(Order.objects.filter(FlagEnabled("beta_checkout", "tenant_id", "user_id"))
            .order_by("id").values_list("id", flat=True)),
       [1, 2, 3, 6], "filter(FlagEnabled(...)): a boolean expression directly in filter()")
tap.eq(list(Order.objects.extra(where=["flagforge_is_enabled('beta_checkout', tenant_id, user_id::text)"])
            .order_by("id").values_list("id", flat=True)),
       [1, 2, 3, 6], ".extra(where=[...])")
tap.eq(list(Order.objects.filter(tenant_id="globex").exclude(FlagEnabled("beta_checkout", "tenant_id", "user_id"))
            .values_list("id", flat=True)),
       [4], "exclude(FlagEnabled(...)) with another filter")
rows = list(Order.objects.raw("SELECT * FROM beta_orders ORDER BY id"))
tap.ok([o.id for o in rows] == [1, 2, 3, 6] and all(isinstance(o, Order) for o in rows),
       "Order.objects.raw('SELECT * FROM beta_orders') yields the gated Order objects", rows)

# --- django-tenants: search_path names the tenant, the middleware sets the user only ----------------
with connection.cursor() as cur:
    cur.execute("SELECT flagforge_create_tenant_schema('tenant_acme')")   # post_schema_sync, once
    cur.execute("SET search_path = tenant_acme, public")                   # what django-tenants does
    cur.execute("SELECT flagforge_enable('beta_reports')")                 # no tenant: the schema's table


class TenantSchemaFlagMiddleware(FlagContextMiddleware):
    """Under django-tenants: no flagforge.tenant (the schema on search_path is the tenant)."""

    def __call__(self, request):
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SELECT set_config('flagforge.user_id', %s, true),"
                            "       set_config('flagforge.environment', %s, true)",
                            [str(request.user.pk), "production"])
            return self.get_response(request)


flags = TenantSchemaFlagMiddleware(lambda request: evaluate_all())(fake_request(None, 9))
tap.eq(flags, {"new_dashboard": False, "beta_checkout": False, "dark_mode": True,
               "beta_reports": True, "gradual_search": False},
       "django-tenants: evaluate_all() with no tenant reads tenant_acme's overrides")
with connection.cursor() as cur:
    cur.execute("SELECT flagforge_explain('gradual_search', NULL, '9')")
    tap.eq(_jsonb(cur.fetchone()[0]).get("tenant"), "tenant_acme",
           "django-tenants: the tenant (for bucketing) is the schema's name")
    cur.execute("SET search_path = public")
    cur.execute("DROP SCHEMA tenant_acme CASCADE")

connection.close()
tap.done()
