/** A form without script: the token is posted, never put in a URL (URLs end up in history and logs). */
export const LOGIN_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>respond codec server</title></head>
<body>
<h1>respond codec server</h1>
<p>Paste the token from <code>codec-server.token</code> in respond's state dir (<code>respond codec status</code> names it).</p>
<form method="post" action="/login">
<input type="password" name="token" autocomplete="off" size="48" autofocus>
<button type="submit">Sign in</button>
</form>
</body></html>
`;
