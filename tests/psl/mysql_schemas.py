"""MySQL schemas for the tests: every native type Prisma's MySQL connector knows, and relations
that Prisma keeps itself (relationMode = "prisma")."""

TYPES = """
datasource db {
  provider = "mysql"
}

enum Status {
  DRAFT
  PUBLISHED @map("published")
}

/// Every MySQL native type Prisma knows.
model Everything {
  id             Int       @id @default(autoincrement())
  plain          String
  varchar        String    @db.VarChar(40)
  char           String    @db.Char(36) @default(uuid())
  tinyText       String?   @db.TinyText
  text           String?   @db.Text
  mediumText     String?   @db.MediumText
  longText       String?   @db.LongText
  int            Int       @default(7)
  unsignedInt    Int       @db.UnsignedInt
  smallInt       Int       @db.SmallInt
  unsignedSmall  Int       @db.UnsignedSmallInt
  tinyInt        Int       @db.TinyInt
  unsignedTiny   Int       @db.UnsignedTinyInt
  mediumInt      Int       @db.MediumInt
  unsignedMedium Int       @db.UnsignedMediumInt
  year           Int?      @db.Year
  big            BigInt
  unsignedBig    BigInt    @db.UnsignedBigInt
  decimal        Decimal   @db.Decimal(10, 2)
  defaultDecimal Decimal?
  float          Float
  single         Float     @db.Float
  double         Float     @db.Double
  flag           Boolean   @default(false)
  bit            Boolean   @db.Bit(1)
  createdAt      DateTime  @default(now())
  updatedAt      DateTime  @updatedAt
  micro          DateTime  @db.DateTime(6)
  stamp          DateTime? @db.Timestamp(0)
  day            DateTime? @db.Date
  clock          DateTime? @db.Time(6)
  seconds        DateTime? @db.Time(0)
  data           Json
  blob           Bytes?
  smallBlob      Bytes?    @db.Blob
  tinyBlob       Bytes?    @db.TinyBlob
  mediumBlob     Bytes?    @db.MediumBlob
  varbinary      Bytes?    @db.VarBinary(16)
  binary         Bytes?    @db.Binary(4)
  bits           Bytes?    @db.Bit(8)
  status         Status    @default(DRAFT)
  ownerId        String
  owner          Owner     @relation(fields: [ownerId], references: [id], onDelete: Cascade)
  tags           Tag[]

  @@unique([varchar, smallInt])
  @@index([createdAt(sort: Desc), int])
  @@index([text(length: 20)])
  @@fulltext([plain])
  @@map("everything")
}

model Owner {
  id     String       @id @default(cuid())
  name   String       @unique @map("full_name")
  things Everything[]
}

model Tag {
  id     BigInt       @id @default(autoincrement()) @db.UnsignedBigInt
  label  String       @unique @db.VarChar(30)
  things Everything[]
}

model Counter {
  id    Int @id @default(autoincrement()) @db.UnsignedInt
  small Int @unique @db.SmallInt
}
"""

RELATION_MODE_PRISMA = """
datasource db {
  provider     = "mysql"
  relationMode = "prisma"
}

model Author {
  id    Int    @id @default(autoincrement())
  email String @unique
  posts Post[]
  books Book[]
}

model Post {
  id       Int     @id @default(autoincrement())
  title    String  @db.VarChar(200)
  authorId Int
  author   Author  @relation(fields: [authorId], references: [id], onDelete: Cascade)
  editorId Int?
  editor   Editor? @relation(fields: [editorId], references: [id])

  @@index([authorId])
}

model Editor {
  id    Int    @id @default(autoincrement())
  posts Post[]
}

model Book {
  id      String   @id @default(cuid())
  authors Author[]
}
"""
