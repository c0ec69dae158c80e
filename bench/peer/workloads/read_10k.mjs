// list(Book.objects.all()): 10,000 rows decoded into model objects
export default async (prisma) => (await prisma.book.findMany()).length;
