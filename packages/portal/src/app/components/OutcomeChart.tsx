import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import { useEffect, useRef } from "react";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface OutcomeSeries {
  labels: string[];
  success: number[];
  failure: number[];
  notApplied: number[];
}

export interface ChartDataset {
  label: string;
  data: number[];
  color: string;
}

/** Stacked bars: counts per time bucket, one dataset per outcome. */
export function StackedChart(props: { labels: string[]; datasets: ChartDataset[]; label: string }) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  useEffect(() => {
    if (canvas.current === null) return;
    const chart = new Chart(canvas.current, {
      type: "bar",
      data: { labels: props.labels, datasets: props.datasets.map((d) => ({ label: d.label, data: d.data, backgroundColor: d.color })) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
    return () => chart.destroy();
  }, [props.labels, props.datasets]);
  return (
    <div style={{ position: "relative", height: "240px", width: "100%" }}>
      <canvas ref={canvas} role="img" aria-label={props.label} />
    </div>
  );
}

/** Sign-ins per bucket by Conditional Access outcome, stacked. */
export function OutcomeChart(props: { series: OutcomeSeries; label: string }) {
  const { series } = props;
  return (
    <StackedChart
      label={props.label}
      labels={series.labels}
      datasets={[
        { label: "Success", data: series.success, color: "#107c10" },
        { label: "Failure", data: series.failure, color: "#c50f1f" },
        { label: "Not applied", data: series.notApplied, color: "#8a8886" },
      ]}
    />
  );
}
