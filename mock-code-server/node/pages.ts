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
<link rel="icon" href="./_static/src/browser/media/favicon-dark-support.svg" />
<link rel="alternate icon" href="./_static/src/browser/media/favicon.ico" type="image/x-icon" />
<link rel="manifest" href="./manifest.json" crossorigin="use-credentials" />
<link rel="stylesheet" href="./stable-${commit}/static/out/vs/workbench/workbench.web.main.css" />
</head>
<body aria-label="">
<script src="./stable-${commit}/static/out/vs/code/browser/workbench/workbench.js"></script>
</body>
</html>
`;
}

/** webClientServer.ts _handleRoot's policy, less the inline-script hashes (this page has none). */
export const WORKBENCH_CSP = [
  "default-src 'self';",
  "img-src 'self' https: data: blob:;",
  "media-src 'self';",
  "script-src 'self' 'unsafe-eval';",
  "child-src 'self';",
  "frame-src 'self' https://*.vscode-cdn.net data:;",
  "worker-src 'self' data:;",
  "style-src 'self' 'unsafe-inline';",
  "connect-src 'self' ws: wss: https:;",
  "font-src 'self' blob:;",
  "manifest-src 'self';",
].join(' ');

/**
 * What the real workbench fetches on load besides its code: the two vsda files (404 in every
 * open-source build) and five vscode-remote-resource files — the default theme's chain and the
 * file-icon theme with its font.
 */
export const REMOTE_RESOURCES_ON_LOAD = [
  'theme-defaults/themes/dark_modern.json',
  'theme-defaults/themes/dark_plus.json',
  'theme-defaults/themes/dark_vs.json',
  'theme-seti/icons/vs-seti-icon-theme.json',
  'theme-seti/icons/seti.woff',
] as const;

export function workbenchScript(commit: string, builtinExtensionsPath: string): string {
  const resources = REMOTE_RESOURCES_ON_LOAD.map((file) => `./stable-${commit}/vscode-remote-resource?path=${encodeURIComponent(`${builtinExtensionsPath}/${file}`)}`);
  return `// mock workbench: no UI; the harness page runs the protocol client.
for (const file of ['vsda.js', 'vsda_bg.wasm']) {
  fetch('./stable-${commit}/static/node_modules/vsda/rust/web/' + file).catch(() => undefined);
}
for (const url of ${JSON.stringify(resources)}) fetch(url).catch(() => undefined);
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

/** routes/vscode.ts /manifest.json, {{BASE}} resolved for a page at the root ('.'). */
export function manifest(): string {
  return JSON.stringify(
    {
      name: 'code-server',
      short_name: 'code-server',
      start_url: '.',
      display: 'fullscreen',
      display_override: ['window-controls-overlay'],
      description: 'Run Code on a remote server.',
      icons: [192, 512].map((size) => ({ src: `./_static/src/browser/media/pwa-icon-${size}.png`, type: 'image/png', sizes: `${size}x${size}` })),
    },
    null,
    2,
  );
}
