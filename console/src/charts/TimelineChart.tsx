import type { ChartDataset } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import type { SagaTimeline } from '../../../cli/console/api-types';
import { formatDuration } from '../format';
import { Chart } from './chart-setup';
import { barColour, KIND_COLOURS, RETRY_MARK_COLOUR, timelineChartData } from './timeline-data';

/** The saga as horizontal floating bars on a time axis (ms since start), retries as red crosses. */
export function TimelineChart({ timeline }: { timeline: SagaTimeline }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const data = timelineChartData(timeline);

  useEffect(() => {
    if (!canvas.current) return;
    const labels = data.rows.map((r) => r.label);
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            type: 'bar',
            label: 'state (entry → exit)',
            data: data.rows.map((r) => [r.span[0], r.span[1]] as [number, number]),
            backgroundColor: data.rows.map((r) => barColour(r, timeline.outcome.summary)),
            borderSkipped: false,
            // A higher order is drawn first: the bars go under the retry marks.
            order: 1,
            barPercentage: 0.7,
            categoryPercentage: 0.9,
          },
          // A scatter dataset in a bar chart (mixed chart); chart.js's types model one type per chart.
          {
            type: 'scatter',
            label: 'failed attempt (retried or caught)',
            data: data.rows.flatMap((r) => r.retries.map((f) => ({ x: f.at, y: r.label }))),
            backgroundColor: RETRY_MARK_COLOUR,
            borderColor: RETRY_MARK_COLOUR,
            pointStyle: 'crossRot',
            pointRadius: 9,
            pointBorderWidth: 4,
            order: 0,
          } as unknown as ChartDataset<'bar'>,
        ],
      },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: {
            type: 'linear',
            min: 0,
            suggestedMax: data.totalMs,
            title: { display: true, text: 'time since the saga started' },
            ticks: { callback: (value) => formatDuration(Number(value)) },
          },
          y: { type: 'category', labels },
        },
        plugins: {
          // The figure's caption is the legend: bar colours mean kinds, which chart.js's legend cannot say.
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (item) => {
                const row = data.rows[item.dataIndex];
                if (item.datasetIndex === 1) {
                  const marks = data.rows.flatMap((r) => r.retries.map((f) => ({ row: r, f })));
                  const mark = marks[item.dataIndex];
                  return mark
                    ? `${mark.row.label}: attempt failed (${mark.f.error}) at ${formatDuration(mark.f.at)}`
                    : '';
                }
                if (!row) return '';
                return `${row.label}: ${row.kind}, ${row.status}, ${row.attempts} attempt(s), ${formatDuration(row.span[1] - row.span[0])}`;
              },
            },
          },
        },
      },
    });
    return () => chart.destroy();
  }, [timeline]);

  return (
    <figure class="chart timeline" aria-labelledby="timeline-caption">
      <div class="chart-box" style={{ height: `${Math.max(180, 34 * data.rows.length + 90)}px` }}>
        <canvas ref={canvas} role="img" aria-label={data.description} data-testid="timeline-chart" />
      </div>
      <figcaption id="timeline-caption">
        <span class="swatch" style={{ background: KIND_COLOURS.step }} /> saga step
        <span class="swatch" style={{ background: KIND_COLOURS.compensation }} /> compensation
        <span class="swatch" style={{ background: KIND_COLOURS.outcome }} /> bookkeeping
        <span class="swatch" style={{ background: KIND_COLOURS.end }} /> succeeded
        <span class="swatch" style={{ background: RETRY_MARK_COLOUR }} /> failed / retry mark
      </figcaption>
    </figure>
  );
}
