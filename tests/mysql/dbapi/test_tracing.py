"""OpenTelemetry spans of the MySQL dialect name MySQL: ``db.system.name`` "mysql" and the
database's name from ``SELECT DATABASE()`` (the tracer provider is global: a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from django_prisma.devserver import mysql as devserver_mysql

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import json, sys
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)

from django_prisma.dbapi import mysql

conn = mysql.connect(sys.argv[1], autocommit=True)
cursor = conn.cursor()
cursor.execute("SELECT %s AS answer", ["value-never-traced"])
assert cursor.fetchall() == [("value-never-traced",)]
conn.close()
print(json.dumps([
    {"name": span.name, "attributes": dict(span.attributes)} for span in exporter.get_finished_spans()
]))
"""


def test_statement_spans_name_mysql_and_its_database(mysql_server):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, mysql_server.url],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    spans = json.loads(result.stdout)
    (select,) = [span for span in spans if span["name"] == "SELECT"]
    attributes = select["attributes"]
    assert attributes["db.system.name"] == "mysql"
    assert attributes["db.namespace"] == devserver_mysql.database_name(mysql_server.database_url)
    assert attributes["db.operation.name"] == "SELECT"
    assert "value-never-traced" not in json.dumps(spans)  # values are never traced
