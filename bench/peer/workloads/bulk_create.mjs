// Event.objects.bulk_create([1,000 events])
export default async (prisma, n) => {
  const created = new Date();
  const data = Array.from({ length: n }, (_, i) => ({
    kind: "bulk",
    payload: `bulk event ${i}`,
    value: i,
    created,
  }));
  return (await prisma.event.createMany({ data })).count;
};
