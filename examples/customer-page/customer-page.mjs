// A static "customer page" that calls the platform API with a public token, the way an embedded
// viewer on a customer's site would: fetch() with bearer_token, and an <img> with bearer_token.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

export function customerPageHtml({ apiUrl, token, title = 'Customer page' }) {
  const q = `bearer_token=${encodeURIComponent(token)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:16px system-ui;margin:2rem} #status{font-weight:bold}</style></head>
<body>
<h1>${title}</h1>
<p>Calls <code>${apiUrl}/assets</code> with a public token.</p>
<p>API call: <span id="status">pending</span></p>
<ul id="assets"></ul>
<p>Image through the Referer fallback: <img id="logo" alt="asset" src="${apiUrl}/assets/chair.svg?${q}"> <span id="img-status">pending</span></p>
<script>
  const img = document.getElementById('logo');
  const mark = (ok) => { document.getElementById('img-status').textContent = ok ? 'loaded' : 'refused'; };
  if (img.complete) mark(img.naturalWidth > 0); else { img.onload = () => mark(true); img.onerror = () => mark(false); }
  fetch(${JSON.stringify(`${apiUrl}/assets?${q}`)})
    .then(async (r) => {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      const body = await r.json();
      document.getElementById('status').textContent = 'ok';
      for (const a of body.assets) {
        const li = document.createElement('li');
        li.textContent = a.name;
        document.getElementById('assets').appendChild(li);
      }
    })
    .catch((e) => { document.getElementById('status').textContent = 'refused (' + e.message + ')'; });
</script>
</body></html>`;
}

export function startCustomerPage({ port = 0, host = '127.0.0.1', ...page }) {
  const html = customerPageHtml(page);
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const server = await startCustomerPage({
    port: Number(process.env.PORT ?? 5000),
    apiUrl: process.env.API_URL ?? 'http://127.0.0.1:4000',
    token: process.env.PUBLIC_TOKEN ?? '',
  });
  console.log(`customer page on http://127.0.0.1:${server.address().port}`);
}
