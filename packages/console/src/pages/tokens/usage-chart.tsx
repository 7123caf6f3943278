import { BarChart } from '@mantine/charts';

/** Verifications per day, stacked: successes and each refusal code (token-usage.tsx builds the rows). */
export default function UsageChart({
  data,
  series,
}: {
  data: Record<string, string | number>[];
  series: { name: string; color: string }[];
}) {
  return (
    <BarChart
      h={220}
      data={data}
      dataKey="day"
      type="stacked"
      series={series}
      withLegend
      aria-label="Verifications per day"
    />
  );
}
