// A real OpenID Connect provider for the tests: npm's oidc-provider (installed by `make assets`, pinned in
// package-lock.json), with our own small login page and a few test users. Started by tests/oidc/__init__.py:
//   node tests/oidc/provider.mjs CONFIG.json
// CONFIG: {"clients": [{client_id, client_secret, redirect_uris, post_logout_redirect_uris}],
//          "users": [{login, password, sub, claims}]}
// It listens on a free port on 127.0.0.1 and prints one JSON line {"issuer": "http://localhost:PORT"} when ready.
// Every claim of a user goes into the ID token with the "openid" scope: the app must store none of them.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const bySub = new Map(config.users.map((user) => [user.sub, user]));
const byLogin = new Map(config.users.map((user) => [user.login, user]));

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  // No script, no style from elsewhere, a data: icon: the browser tests fail on any console error.
  return `<!doctype html><html lang="nb"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>${escape(title)}</title></head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function loginForm(uid, clientName, error = '') {
  return page(`Test-pålogging for ${clientName}`, `
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<p><label for="login">Brukernavn</label><br><input id="login" name="login" autocomplete="username" required></p>
<p><label for="password">Passord</label><br>
<input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Logg inn</button></p>
</form>`);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 10_000) reject(new Error('too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', alg: 'RS256', use: 'sig' };

let provider;

async function interaction(req, res, url) {
  const details = await provider.interactionDetails(req, res);
  const client = await provider.Client.find(details.params.client_id);
  const clientName = client?.clientName || details.params.client_id;
  const send = (status, html) => {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html);
  };
  if (req.method === 'POST' && url.pathname.endsWith('/login')) {
    const form = await readForm(req);
    const user = byLogin.get(form.get('login') || '');
    if (!user || user.password !== form.get('password')) {
      send(200, loginForm(details.uid, clientName, 'Feil brukernavn eller passord.'));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
    return;
  }
  if (details.prompt.name === 'login') {
    send(200, loginForm(details.uid, clientName));
    return;
  }
  // Consent: the test clients are the provider's own, so what they ask for is granted without a question.
  const { accountId } = details.session;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname.startsWith('/interaction/')) {
    interaction(req, res, url).catch((error) => {
      res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page('Feil', `<p>${escape(error.message)}</p>`));
    });
    return;
  }
  provider.callback()(req, res);
});

server.listen(0, '127.0.0.1', () => {
  const issuer = `http://localhost:${server.address().port}`;
  const claimNames = [...new Set(config.users.flatMap((user) => Object.keys(user.claims)))];
  provider = new Provider(issuer, {
    clients: config.clients.map((client) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...client,
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: ['only-for-the-tests'] },
    claims: { openid: ['sub', ...claimNames] },
    // Claims of the granted scopes go into the ID token itself (as some providers do).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Logge ut?', `${form}<p><button type="submit" form="op.logoutForm" value="yes" name="logout">Ja, logg meg ut</button></p>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Logget ut', '<p>Du er logget ut.</p>');
        },
      },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Feil', `<p>${escape(out.error)}: ${escape(out.error_description || '')}</p>`);
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const user = bySub.get(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...user.claims }) };
    },
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
