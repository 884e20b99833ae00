// The HTML and static bodies the mock serves. Paths in the page are relative (`./stable-…`) as
// code-server's are, so the page works under any base path a proxy mounts it at.

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function workbenchPage(commit: string, folder: string): string {
  const settings = escapeAttribute(
    JSON.stringify({
      folderUri: { $mid: 1, scheme: 'vscode-remote', path: folder },
      productConfiguration: { nameShort: 'code-server', commit, quality: 'stable' },
    }),
  );
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8" />
<title>code-server (mock)</title>
<meta id="vscode-workbench-web-configuration" data-settings="${settings}" />
<link rel="manifest" href="./manifest.json" crossorigin="use-credentials" />
<link rel="stylesheet" href="./stable-${commit}/static/out/vs/workbench/workbench.web.main.css" />
</head>
<body aria-label="">
<script src="./stable-${commit}/static/out/vs/code/browser/workbench/workbench.js"></script>
</body>
</html>
`;
}

/** The workbench script asks for vsda like the real one, so a browser sees the same two 404s. */
export function workbenchScript(commit: string): string {
  return `// mock workbench: no UI; the harness page runs the protocol client.
for (const file of ['vsda.js', 'vsda_bg.wasm']) {
  fetch('./stable-${commit}/static/node_modules/vsda/rust/web/' + file).catch(() => undefined);
}
`;
}

export function loginPage(error: string | undefined): string {
  const message = error ? `<div class="error">${error}</div>` : '';
  return `<!DOCTYPE html>
<html>
<head><meta charset="utf-8" /><title>code-server login</title></head>
<body>
<form method="post" action="">
${message}
<input type="password" name="password" autofocus />
<input type="submit" value="Submit" />
</form>
</body>
</html>
`;
}

export function manifest(): string {
  return JSON.stringify(
    {
      name: 'code-server',
      short_name: 'code-server',
      start_url: '.',
      display: 'fullscreen',
      icons: [{ src: './_static/src/browser/media/pwa-icon-192.png', type: 'image/png', sizes: '192x192' }],
    },
    null,
    2,
  );
}

const CONTENT_TYPES: Record<string, string> = {
  js: 'application/javascript',
  css: 'text/css',
  json: 'application/json',
  html: 'text/html',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  wasm: 'application/wasm',
  ttf: 'font/ttf',
};

export function contentTypeFor(path: string): string {
  const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}
