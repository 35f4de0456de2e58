/** The page's inline stylesheet: system fonts, light and dark schemes. */
export const STYLES = `
:root{--bg:#f7f7f5;--card:#fff;--fg:#1d2228;--muted:#66707a;--line:#e3e5e8;--accent:#2563eb;--kept:#d97706;--bad:#dc2626;--good:#059669;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#111417;--card:#1a1f24;--fg:#e6e8ea;--muted:#98a2ad;--line:#2b323a;--accent:#60a5fa;--kept:#fbbf24;--bad:#f87171;--good:#34d399}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:28px 24px 48px}
h1{font-size:26px;margin:0 0 4px;letter-spacing:-.01em}
h2{font-size:18px;margin:32px 0 12px}
h3{font-size:14px;margin:0 0 8px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.meta{color:var(--muted);margin:0;overflow-wrap:anywhere}
code,.key{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:12px;margin-top:20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.card .big{font-size:26px;font-weight:650;letter-spacing:-.01em}
.card .sub{color:var(--muted);font-size:13px}
.saved .big{color:var(--good)}
.scale{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 16px;margin-top:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:16px}
figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
figcaption{color:var(--muted);font-size:13px;margin-top:6px}
svg.chart{width:100%;height:auto;display:block;overflow:visible}
svg .grid{stroke:var(--line);stroke-width:1}
svg .tick{fill:var(--muted);font-size:10.5px}
svg .caption{fill:var(--muted);font-size:11.5px}
svg .axis{fill:var(--muted);font-size:10px;font-weight:600}
svg .bar{fill:var(--accent)}
svg .bar.kept,svg .dot.kept{fill:var(--kept)}
svg .track{fill:var(--line);opacity:.5}
svg .dot{fill:var(--accent);fill-opacity:.55}
svg .plane{fill:none;stroke:var(--line)}
svg .pal{stroke:var(--fg);stroke-width:1.4}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);border-radius:10px;overflow:hidden}
th,td{text-align:left;padding:7px 12px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.samples{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}
.sample{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:10px;margin:10px 0}
.pair img{width:100%;height:auto;border-radius:6px;display:block;background:var(--line)}
.pair .after img{image-rendering:pixelated}
.pair span{display:block;color:var(--muted);font-size:12px;margin-bottom:3px}
.noimg{display:flex;align-items:center;justify-content:center;min-height:90px;border:1px dashed var(--line);border-radius:6px;color:var(--muted);font-size:12px}
.clouds{display:grid;grid-template-columns:repeat(3,1fr);gap:8px}
.badge{display:inline-block;padding:1px 8px;border-radius:99px;font-size:12px;border:1px solid currentColor}
.badge.compressed{color:var(--accent)}.badge.kept-original{color:var(--kept)}.badge.failed{color:var(--bad)}
ul.failures{list-style:none;padding:0;margin:0;background:var(--card);border:1px solid var(--line);border-radius:10px}
ul.failures li{padding:8px 14px;border-bottom:1px solid var(--line)}
ul.failures .reason{color:var(--bad)}
.muted{color:var(--muted)}
.worst-cases{display:flex;flex-wrap:wrap;gap:16px}
.worst{margin:0;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;max-width:100%;overflow-x:auto}
.worst figcaption{font-size:13px;margin-bottom:8px}
.worst img.crop{display:block;max-width:none;image-rendering:pixelated}
footer{margin-top:36px;color:var(--muted);font-size:12px}
`;
