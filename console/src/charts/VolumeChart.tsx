import { useEffect, useRef } from 'preact/hooks';
import { formatMinor } from '../format';
import { Chart } from './chart-setup';
import { STATUS_COLOURS, type VolumeSeries } from './volume-data';

/** Daily volume of one currency, stacked by payment status; the axis shows major units from integer minor units. */
export function VolumeChart({ data, currency }: { data: VolumeSeries; currency: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: [...data.days],
        datasets: data.series.map((s) => ({
          label: s.status,
          data: [...s.amounts],
          backgroundColor: STATUS_COLOURS[s.status] ?? '#64748b',
          stack: 'volume',
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true },
          y: {
            stacked: true,
            beginAtZero: true,
            title: { display: true, text: currency },
            ticks: {
              precision: 0,
              callback: (value) => formatMinor(Math.round(Number(value)), data.exponent),
            },
          },
        },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: {
            callbacks: {
              label: (item) => {
                const s = data.series[item.datasetIndex];
                return s
                  ? `${s.status}: ${formatMinor(s.amounts[item.dataIndex] ?? 0, data.exponent)} ${currency} (${s.counts[item.dataIndex] ?? 0} payments)`
                  : '';
              },
            },
          },
        },
      },
    });
    return () => chart.destroy();
  }, [data, currency]);
  const total = data.series.reduce((n, s) => n + s.counts.reduce((a, b) => a + b, 0), 0);
  return (
    <div class="chart-box" style={{ height: '320px' }}>
      <canvas
        ref={canvas}
        role="img"
        aria-label={`Daily volume in ${currency} from ${data.days[0]} to ${data.days.at(-1)}: ${total} payments, by status ${data.series.map((s) => s.status).join(', ')}`}
      />
    </div>
  );
}
