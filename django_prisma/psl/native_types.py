"""Native database types (`@db.*`) each Prisma connector accepts."""

from __future__ import annotations

POSTGRES = frozenset(
    "Text Char VarChar Bit VarBit Uuid Xml Inet Citext Boolean Integer SmallInt Oid BigInt DoublePrecision Real "
    "Decimal Money Timestamp Timestamptz Date Time Timetz Json JsonB ByteA".split()
)
MYSQL = frozenset(
    "VarChar Text Char TinyText MediumText LongText Bit Binary VarBinary TinyBlob Blob MediumBlob LongBlob "
    "Int UnsignedInt SmallInt UnsignedSmallInt MediumInt UnsignedMediumInt TinyInt UnsignedTinyInt BigInt "
    "UnsignedBigInt Year Decimal Float Double Date Time DateTime Timestamp Json".split()
)
SQLSERVER = frozenset(
    "Char NChar VarChar NVarChar Text NText Xml UniqueIdentifier TinyInt SmallInt Int BigInt Bit Decimal Money "
    "SmallMoney Float Real Date Time DateTime DateTime2 SmallDateTime DateTimeOffset Binary VarBinary Image".split()
)
COCKROACH = frozenset(
    "Bit Bool Bytes Char Date Decimal Float4 Float8 Inet Int2 Int4 Int8 JsonB Oid CatalogSingleChar String "
    "Time Timestamp Timestamptz Timetz Uuid VarBit".split()
)
MONGODB = frozenset("String Double Long Int BinData ObjectId Bool Date Timestamp Json".split())

BY_PROVIDER = {
    "postgresql": POSTGRES,
    "postgres": POSTGRES,
    "mysql": MYSQL,
    "sqlserver": SQLSERVER,
    "cockroachdb": COCKROACH,
    "mongodb": MONGODB,
}


def native_types_for(provider: str | None) -> frozenset[str] | None:
    """None when unknown: no check is made rather than a wrong one."""
    return BY_PROVIDER.get(provider or "")
