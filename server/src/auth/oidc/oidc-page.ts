const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The page a refused sign-in through the provider lands on: plain HTML, what happened and a way back. */
export const refusalPage = (title: string, message: string): string =>
  `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} · Signalbox</title></head>
<body>
<main>
<h1>${escape(title)}</h1>
<p role="alert">${escape(message)}</p>
<p><a href="/">Back to the Signalbox sign-in page</a></p>
</main>
</body>
</html>
`;
