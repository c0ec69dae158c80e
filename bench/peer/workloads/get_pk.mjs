// Book.objects.get(pk=…)
export default async (prisma, id) => (await prisma.book.findUnique({ where: { id: BigInt(id) } })).id;
