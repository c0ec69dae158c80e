"""OpenTelemetry spans for the requests the driver sends, following the database semantic
conventions.

Nothing here imports OpenTelemetry unless the application already did: a connection traces only
when ``opentelemetry.trace`` is loaded when it is opened (see :func:`transport_class`), and each
request asks for the global tracer provider, so that without one set a request costs a lookup.

Every request to the Prisma server is a CLIENT span: ``/query`` and a transaction's statements are
named after the SQL operation; ``BEGIN``, ``COMMIT`` and ``ROLLBACK`` are the transaction's own
requests. A transaction is an INTERNAL span from its start to its commit or rollback, with its
requests nested. ``db.query.text`` is the SQL as the application wrote it, before the driver
inlines the parameters (``%s`` written ``$1``…), with literals in it replaced by ``?``;
``OTEL_INSTRUMENTATION_DJANGO_PRISMA_QUERY_TEXT=raw`` records the statement with its values,
``off`` records none. The API key appears nowhere: spans carry the host and port only, and the
driver's exceptions never contain it.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import time
from typing import TYPE_CHECKING, Any

import orjson

from . import errors, plans
from .exceptions import Error
from .transport import Response, Transport
from .url import Endpoint

if TYPE_CHECKING:
    from .cursor import Cursor

INSTRUMENTATION = "django_prisma"
QUERY_TEXT_SETTING = "OTEL_INSTRUMENTATION_DJANGO_PRISMA_QUERY_TEXT"
TRANSACTION_PATH = re.compile(r"^/transaction/([^/]+)/(query|commit|rollback)$")

# database name behind an endpoint (host, port, API key): asked once per process.
_namespaces: dict[Endpoint, str | None] = {}


def transport_class(base: type[Transport]) -> type[Transport]:
    """``base`` unless OpenTelemetry's API is loaded; then the tracing transport."""
    if "opentelemetry.trace" not in sys.modules:
        return base
    return TracingTransport


def note_query(cursor: Cursor, sql: str, params: Any, batch_size: int | None = None) -> None:
    """What the next statement request carries: the SQL template and its parameters."""
    transport = cursor.connection.transport
    if isinstance(transport, TracingTransport):
        transport.noted_query = (cursor, sql, params, batch_size)


def _tracer() -> Any:
    """The driver's tracer, or None while no tracer provider is set (the API's default proxy).

    A provider, once set, is the process's for good (OpenTelemetry sets it once); until then
    the API is asked at most once a second, since asking reads the environment (microseconds).
    """
    global _provider, _next_provider_check
    if _provider is None:
        now = time.monotonic()
        if now < _next_provider_check:
            return None
        _next_provider_check = now + PROVIDER_CHECK_INTERVAL
        provider = sys.modules["opentelemetry.trace"].get_tracer_provider()
        if provider.__class__ in _not_set_classes():
            return None
        _provider = provider
    return _tracer_for(_provider)


_provider: Any = None
_next_provider_check = 0.0
PROVIDER_CHECK_INTERVAL = 1.0


@functools.cache
def _not_set_classes() -> frozenset[type]:
    from opentelemetry import trace

    return frozenset((trace.ProxyTracerProvider, trace.NoOpTracerProvider))


@functools.lru_cache(maxsize=4)
def _tracer_for(provider: Any) -> Any:
    from .. import __version__

    return provider.get_tracer(INSTRUMENTATION, __version__)


class TracingTransport(Transport):
    noted_query: tuple[Cursor, str, Any, int | None] | None = None
    _transaction_span: Any = None
    _namespace_failed = False

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        *,
        idempotent: bool,
        headers: dict[str, str] | None = None,
    ) -> Response:
        tracer = _tracer()
        if tracer is None or path == "/health":
            self.noted_query = None
            return super().request(method, path, body, idempotent=idempotent, headers=headers)
        from opentelemetry import trace

        step = _step(path)
        if step == "start":
            self._start_transaction_span(tracer)
        name, attributes = self._describe(step, path)
        if headers:
            attributes.update(_cache_request_attributes(headers))
        attributes.update(self._common_attributes())
        within = self._transaction_span if path.startswith("/transaction/") else None
        with tracer.start_as_current_span(
            name,
            context=trace.set_span_in_context(within) if within is not None else None,
            kind=trace.SpanKind.CLIENT,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                response = super().request(
                    method, path, body, idempotent=idempotent, headers=headers
                )
            except Exception as error:
                _record_error(span, error)
                # The transaction ends with a failed start, commit or rollback, and when the
                # server no longer has it (409 to one of its statements).
                if step in ("start", "commit", "rollback") or (
                    within is not None and _closes_transaction(error)
                ):
                    self._end_transaction_span(error=type(error).__qualname__)
                raise
            status = response.headers.get("accelerate-cache-status") if response.headers else None
            if status:
                span.set_attribute("prisma.accelerate.cache.status", status)
        if step in ("commit", "rollback"):
            self._end_transaction_span(outcome=step)
        return response

    def _start_transaction_span(self, tracer: Any) -> None:
        from opentelemetry import trace

        # One still open belongs to a transaction the connection gave up without a request.
        self._end_transaction_span(error="TransactionLost")
        self._transaction_span = tracer.start_span(
            "TRANSACTION", kind=trace.SpanKind.INTERNAL, attributes=self._common_attributes()
        )

    def _describe(self, step: str | None, path: str) -> tuple[str, dict[str, Any]]:
        if step == "query":
            # The statement the cursor noted; a transaction's start or end, or a cache
            # invalidation, leaves it for the statement that follows.
            noted, self.noted_query = self.noted_query, None
            return _statement_attributes(noted)
        if step is None:  # not a statement: /invalidate
            return path.strip("/"), {}
        operation = {"start": "BEGIN"}.get(step, step.upper())
        return operation, {"db.operation.name": operation}

    def _common_attributes(self) -> dict[str, Any]:
        attributes = {
            "db.system.name": self.dialect.name,
            "db.system": self.dialect.name,
            "server.address": self.endpoint.host,
            "server.port": self.endpoint.port,
        }
        namespace = self._namespace()
        if namespace:
            attributes["db.namespace"] = namespace
        return attributes

    def _namespace(self) -> str | None:
        """The database's name (``dialect.namespace_sql``), asked once per process and endpoint,
        outside any transaction and untraced; None while it cannot be had."""
        key = self.endpoint
        if key not in _namespaces:
            if self._namespace_failed or self._transaction_span is not None:
                # Never asked while this connection has a transaction open: on @prisma/dev (one
                # transaction at a time) the question would wait for that very transaction.
                return None
            payload = plans.single(
                self.dialect.namespace_sql, returns_rows=True, atomic=False, prelude=()
            )
            try:
                response = super().request("POST", "/query", payload, idempotent=True)
                _namespaces[key] = orjson.loads(response.body)["data"]["rows"][0][0]
            except Exception:
                self._namespace_failed = True  # not asked again by this connection
                return None
        return _namespaces[key]

    def _end_transaction_span(
        self, *, outcome: str | None = None, error: str | None = None
    ) -> None:
        span, self._transaction_span = self._transaction_span, None
        if span is None:
            return
        from opentelemetry.trace import Status, StatusCode

        if outcome:
            span.set_attribute("django_prisma.transaction.outcome", outcome)
        if error:
            span.set_status(Status(StatusCode.ERROR))
            span.set_attribute("error.type", error)
        span.end()


def _step(path: str) -> str | None:
    """query, start, commit or rollback; None for a request that is not a statement."""
    if path == "/query":
        return "query"
    if path == "/transaction/start":
        return "start"
    match = TRANSACTION_PATH.match(path)
    return match.group(2) if match else None


def _statement_attributes(
    noted: tuple[Cursor, str, Any, int | None] | None,
) -> tuple[str, dict[str, Any]]:
    if noted is None:  # a request the driver makes by itself (a replay): no text known
        return "postgresql", {}
    cursor, sql, params, batch_size = noted
    operation = _operation(sql)
    if batch_size is not None:
        operation = f"BATCH {operation}"
    attributes: dict[str, Any] = {"db.operation.name": operation}
    if batch_size is not None:
        attributes["db.operation.batch.size"] = batch_size
    mode = os.environ.get(QUERY_TEXT_SETTING, "sanitized").lower()
    if mode == "raw" and batch_size is None:
        attributes["db.query.text"] = cursor.mogrify(sql, params)
    elif mode != "off":
        attributes["db.query.text"] = sanitized(sql, params is not None or batch_size is not None)
    return operation, attributes


def _operation(sql: str) -> str:
    match = re.match(r"[\s(]*([A-Za-z]+)", sql)
    return match.group(1).upper() if match else "postgresql"


def _cache_request_attributes(headers: dict[str, str]) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    control = headers.get("cache-control")
    if control:
        attributes["prisma.accelerate.cache.control"] = control
        for part in control.split(","):
            name, _, value = part.strip().partition("=")
            if name == "max-age" and value.isdigit():
                attributes["prisma.accelerate.cache.ttl"] = int(value)
            elif name == "stale-while-revalidate" and value.isdigit():
                attributes["prisma.accelerate.cache.swr"] = int(value)
    tags = headers.get("accelerate-cache-tags")
    if tags:
        attributes["prisma.accelerate.cache.tags"] = tags.split(",")
    return attributes


def _closes_transaction(error: Exception) -> bool:
    return isinstance(error, Error) and errors.transaction_closed(error)


def _record_error(span: Any, error: Exception) -> None:
    from opentelemetry.trace import Status, StatusCode

    code = getattr(error, "pgcode", None)
    if code:
        span.set_attribute("db.response.status_code", code)
    status = getattr(error, "http_status", None)
    if status:
        span.set_attribute("http.response.status_code", status)
    span.set_attribute("error.type", code or type(error).__qualname__)
    span.record_exception(error)
    span.set_status(Status(StatusCode.ERROR, type(error).__qualname__))


# Literals of the SQL text: quoted identifiers and comments are kept, strings (standard, E'',
# dollar-quoted) and numbers become ?, pyformat placeholders become $n.
_TOKENS = re.compile(
    r"""
    (?P<ident>"(?:[^"]|"")*")
    | (?P<estring>(?<![\w$])[Ee]'(?:[^'\\]|''|\\.)*')
    | (?P<string>(?<![\w$])[BbXxNnUu]?&?'(?:[^']|'')*')
    | (?P<dollar>\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$)
    | (?P<comment>--[^\n]*|/\*.*?\*/)
    | (?P<param>%\(\w+\)s|%s)
    | (?P<percent>%%)
    | (?P<number>(?<![\w$.])\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)
    """,
    re.VERBOSE | re.DOTALL,
)


@functools.lru_cache(maxsize=512)
def sanitized(sql: str, has_params: bool = True) -> str:
    """The SQL text without its values: literals as ``?``, parameters as ``$1``, ``$2``…"""
    names: dict[str, int] = {}
    position = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal position
        kind = match.lastgroup if match.lastgroup != "tag" else "dollar"
        if kind in ("ident", "comment"):
            return match.group(0)
        if kind == "param":
            if not has_params:
                return match.group(0)
            token = match.group(0)
            if token == "%s":
                position += 1
                return f"${position}"
            if token not in names:
                names[token] = len(names) + 1
            return f"${names[token]}"
        if kind == "percent":
            return "%%" if not has_params else "%"
        return "?"

    return _TOKENS.sub(replace, sql)
