// Rules files: gitleaks configs load as they are, user files override defaults by id, and a bad
// file gets one line naming file, line and field.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../lib/errors.js';
import { Detector } from '../../lib/sweep/detector.js';
import { loadRules, parseRulesText } from '../../lib/sweep/rules/load.js';

const GITLEAKS = `
title = "acme gitleaks config"

[extend]
useDefault = true

[allowlist]
description = "global"
paths = ['''(?:^|/)fixtures/''']

[[rules]]
id = "acme-internal-token"
description = "ACME internal API token"
regex = '''(?i)\\b(acme_[a-z0-9]{32})\\b'''
secretGroup = 1
entropy = 3.0
keywords = ["acme_"]
tags = ["internal"]
  [rules.allowlist]
  stopwords = ["acme_00000000"]

[[rules]]
id = "acme-password"
regex = '''ACME_PASSWORD=(\\S{8,})'''
keywords = ["acme_password"]
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''#\\s*example''']

[[rules]]
id = "pkcs12-file"
path = '''\\.p12$'''
`;

describe('rules files', () => {
  it('loads a gitleaks config and applies its keywords, entropy, allowlists and secret group', () => {
    const set = parseRulesText(GITLEAKS, 'acme.toml');
    expect(set.rules.map((r) => r.id)).toEqual(['acme-internal-token', 'acme-password']);
    expect(set.warnings.join('\n')).toMatch(/pkcs12-file.*path-only/);
    expect(set.warnings.join('\n')).toMatch(/\[extend\] ignored/);
    const d = new Detector(set);
    const tok = 'acme_7f3k9q2m8x4v6b1n5c0z7l2p9r4t6y8w';
    expect(d.detect({ path: '/srv/app/.env', line: 1, text: `TOKEN=${tok}` }).map((x) => x.secret)).toEqual([tok.slice(0, 37)]);
    expect(d.detect({ path: '/srv/fixtures/.env', line: 1, text: `TOKEN=${tok}` })).toEqual([]);
    expect(d.detect({ path: '/srv/app/.env', line: 1, text: 'TOKEN=acme_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' })).toEqual([]);
    expect(d.detect({ path: '/srv/a', line: 1, text: 'ACME_PASSWORD=hunter2hunter2' }).map((x) => x.ruleId)).toEqual(['acme-password']);
    expect(d.detect({ path: '/srv/a', line: 1, text: 'ACME_PASSWORD=hunter2hunter2 # example' })).toEqual([]);
  });

  it('lets a user file replace a default rule by id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'respond-rules-'));
    const f = join(dir, 'mine.toml');
    writeFileSync(f, `[[rules]]\nid = "jwt"\nfamily = "jwt"\nseverity = "low"\nregex = '''\\b(ey[A-Za-z0-9_-]{12,}\\.ey[A-Za-z0-9_-]{12,}\\.[A-Za-z0-9_-]{16,})'''\n`);
    const set = loadRules([f]);
    const jwt = set.rules.filter((r) => r.id === 'jwt');
    expect(jwt).toHaveLength(1);
    expect(jwt[0]!.severity).toBe('low');
    expect(jwt[0]!.source).toBe(f);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['invalid TOML', `[[rules]]\nid = "x"\nregex = 'a\n`, /^bad\.toml:3:\d+: invalid TOML/],
    ['unknown key', `[[rules]]\nid = "x"\nregex = 'a'\n\n[[rules]]\nid = "y"\nregexx = 'a'\n`, /^bad\.toml:5: rules\[1\]: Unrecognized key\(s\) in object: 'regexx'$/],
    ['bad severity', `[[rules]]\nid = "x"\nregex = 'a'\nseverity = "urgent"\n`, /^bad\.toml:4: rules\[0\]\.severity: Invalid enum value/],
    ['bad regex', `[[rules]]\nid = "x"\n\n\nregex = '(unclosed'\n`, /^bad\.toml:5: rules\.x\.regex: invalid regex/],
    ['bad allowlist regex', `[[rules]]\nid = "x"\nregex = 'a(b)'\n[[rules.allowlists]]\nstopwords = ["q"]\n[[rules.allowlists]]\nregexes = ['[z']\n`, /^bad\.toml:7: allowlist\.regexes: invalid regex/],
    ['secret group out of range', `[[rules]]\nid = "x"\nregex = 'a(b)'\nsecretGroup = 2\n`, /^bad\.toml:4: rules\.x\.secretGroup: 2 but the regex has 1 capture group/],
    ['duplicate id', `[[rules]]\nid = "x"\nregex = 'a'\n[[rules]]\nid = "x"\nregex = 'b'\n`, /^bad\.toml:5: rules\[1\]\.id: duplicate rule id "x"$/],
  ];
  for (const [name, text, message] of bad) {
    it(`reports ${name} with file, line and field`, () => {
      let err: unknown;
      try {
        parseRulesText(text, 'bad.toml');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message.includes('\n')).toBe(false);
    });
  }
  it("applies a rule's value checks, and names the field of a bad one", () => {
    const text = [
      '[[rules]]',
      'id = "app-secret"',
      `regex = '''(?i)app_secret\\s*=\\s*["']?([A-Za-z0-9_.]{12,})'''`,
      'keywords = ["app_secret"]',
      '[rules.value]',
      'minDigits = 1',
      'quotedMinEntropy = 3.8',
      `notFollowedBy = '''^\\s*\\('''`,
      'notUnquotedName = true',
    ].join('\n');
    const d = new Detector(parseRulesText(text, 'app.toml'));
    const ids = (line: string) => d.detect({ path: '/srv/a.js', line: 1, text: line }).map((x) => x.ruleId);
    expect(ids('APP_SECRET = "h7Vq2LmZx9Pw4KtR"')).toEqual(['app-secret']);
    // No digit, but quoted and random enough.
    expect(ids('APP_SECRET = "hVqLmZxPwKtRbNcJ"')).toEqual(['app-secret']);
    expect(ids('app_secret = readAppSecretFromDisk(path)')).toEqual([]);
    expect(ids('app_secret = config.appSecretValue;')).toEqual([]);
    expect(ids('app_secret = loadSecret2(path)')).toEqual([]);
    const bad = text.replace(`notFollowedBy = '''^\\s*\\('''`, `notFollowedBy = '''(['''`);
    expect(() => parseRulesText(bad, 'app.toml')).toThrow(/^app\.toml:8: rules\.app-secret\.value\.notFollowedBy: invalid regex/);
  });
});
