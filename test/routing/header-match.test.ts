import { HeaderMatch, HeaderMatchType } from '../../src';

describe('HeaderMatch.exact', () => {
  test('keeps the name and value as given', () => {
    const match = HeaderMatch.exact('Stage', 'gray');

    expect(match.name).toBe('Stage');
    expect(match.type).toBe(HeaderMatchType.EXACT);
    expect(match.value).toBe('gray');
  });

  test('as a regex, the value is escaped and anchored to the whole value', () => {
    const match = HeaderMatch.exact('x-version', 'v1.2+build');

    expect(match.anchoredPattern).toBe('^(?:v1\\.2\\+build)$');
    const re = new RegExp(match.anchoredPattern);
    expect(re.test('v1.2+build')).toBe(true);
    expect(re.test('v1x2+build')).toBe(false);
    expect(re.test('v1.2+build2')).toBe(false);
  });

  test.each(['x_canary', 'x canary', 'x:canary', 'caf\u00e9', ''])('throws when the header name is not letters, digits and -: %p', (name) => {
    expect(() => HeaderMatch.exact(name, 'gray'))
      .toThrow(`HeaderMatch.exact: name (${JSON.stringify(name)}) must`);
  });

  test('throws when the header name has an underscore, saying why', () => {
    expect(() => HeaderMatch.exact('x_canary', 'gray'))
      .toThrow('HeaderMatch.exact: name ("x_canary") must be an HTTP header name of letters, digits and \'-\' only');
  });

  test('throws when the value is empty', () => {
    expect(() => HeaderMatch.exact('stage', ''))
      .toThrow('HeaderMatch.exact: value ("") must be a non-empty string');
  });

  test.each([' gray', 'gray ', 'gr\tay', 'gray\n'])('throws when the value has surrounding white space or control characters: %p', (value) => {
    expect(() => HeaderMatch.exact('stage', value))
      .toThrow(`HeaderMatch.exact: value (${JSON.stringify(value)}) must have no leading or trailing white space and no control characters`);
  });
});

describe('HeaderMatch.regex', () => {
  test('keeps the pattern as given and anchors it as ^(?:p)$', () => {
    const match = HeaderMatch.regex('user-agent', '.*Android.*|iPhone');

    expect(match.type).toBe(HeaderMatchType.REGULAR_EXPRESSION);
    expect(match.value).toBe('.*Android.*|iPhone');
    expect(match.anchoredPattern).toBe('^(?:.*Android.*|iPhone)$');
    // The group keeps the alternation inside the anchors: 'iPhone 15' must not match.
    const re = new RegExp(match.anchoredPattern);
    expect(re.test('iPhone')).toBe(true);
    expect(re.test('iPhone 15')).toBe(false);
    expect(re.test('Linux; Android 14')).toBe(true);
  });

  test.each(['(', '[a-', 'a{2,1}', '*a'])('throws when the pattern is not valid RE2: %p', (pattern) => {
    expect(() => HeaderMatch.regex('user-agent', pattern))
      .toThrow(`HeaderMatch.regex: pattern (${JSON.stringify(pattern)}) must be a valid RE2 regular expression`);
  });

  test.each(['a(?=b)', '(?<!a)b', '(a)\\1', 'a++'])('throws when the pattern uses a PCRE feature RE2 does not have: %p', (pattern) => {
    expect(() => HeaderMatch.regex('user-agent', pattern))
      .toThrow(`HeaderMatch.regex: pattern (${JSON.stringify(pattern)}) must be a valid RE2 regular expression`);
  });

  test('throws when the pattern is empty', () => {
    expect(() => HeaderMatch.regex('user-agent', ''))
      .toThrow('HeaderMatch.regex: pattern ("") must be a non-empty RE2 regular expression');
  });

  test('throws when the pattern is longer than 1024 characters', () => {
    expect(() => HeaderMatch.regex('user-agent', 'a'.repeat(1025)))
      .toThrow('must be at most 1024 characters');
  });

  test('throws when the header name is not letters, digits and -', () => {
    expect(() => HeaderMatch.regex('user_agent', '.*'))
      .toThrow('HeaderMatch.regex: name ("user_agent") must be an HTTP header name');
  });
});
