// Book.objects.values("author_id").annotate(n=Count("id"), avg=Avg("price"))
export default async (prisma) =>
  (await prisma.book.groupBy({ by: ["authorId"], _count: { id: true }, _avg: { price: true } }))
    .length;
