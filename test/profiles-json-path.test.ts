import { describe, expect, it } from 'vitest';
import { compileJsonPath, isJsonPath, JsonPathError } from '../src/profiles/json-path.ts';

const document = {
  request_ids: ['a1', 'a2'],
  data: { id: 42, 'task-id': 't-7' },
  files: [{ request_id: 'f1' }, { request_id: 'f2' }, { name: 'no id' }],
  nested: { deep: [[1, 2], [3]] },
};

describe('json-path selector', () => {
  it('selects members, indices and quoted names', () => {
    expect(compileJsonPath('$.request_ids[0]').first(document)).toBe('a1');
    expect(compileJsonPath('$.request_ids[-1]').first(document)).toBe('a2');
    expect(compileJsonPath('$.data.id').first(document)).toBe(42);
    expect(compileJsonPath("$.data['task-id']").first(document)).toBe('t-7');
    expect(compileJsonPath('$["data"].id').first(document)).toBe(42);
    expect(compileJsonPath('$.nested.deep[0][1]').first(document)).toBe(2);
  });

  it('fans out with [*] and .* and drops branches that do not match', () => {
    expect(compileJsonPath('$.files[*].request_id').all(document)).toEqual(['f1', 'f2']);
    expect(compileJsonPath('$.request_ids[*]').all(document)).toEqual(['a1', 'a2']);
    expect(compileJsonPath('$.data.*').all(document)).toEqual([42, 't-7']);
    expect(compileJsonPath('$.nested.deep[*][*]').all(document)).toEqual([1, 2, 3]);
  });

  it('returns the whole document for $ and nothing for missing paths', () => {
    expect(compileJsonPath('$').first('plain-id')).toBe('plain-id');
    expect(compileJsonPath('$.missing.deeper').all(document)).toEqual([]);
    expect(compileJsonPath('$.request_ids[5]').first(document)).toBeUndefined();
    expect(compileJsonPath('$.data[0]').all(document)).toEqual([]);
    expect(compileJsonPath('$.request_ids.length').all(document)).toEqual([]);
    expect(compileJsonPath('$.a').all(null)).toEqual([]);
    expect(compileJsonPath('$.a').all(undefined)).toEqual([]);
  });

  it('rejects malformed paths naming the position', () => {
    expect(() => compileJsonPath('data.id')).toThrow(JsonPathError);
    expect(() => compileJsonPath('$.data..id')).toThrow(/at character 8/);
    expect(() => compileJsonPath('$.items[')).toThrow(/at character 8/);
    expect(isJsonPath('$.files[*].id')).toBe(true);
    expect(isJsonPath('$.files[x]')).toBe(false);
    expect(isJsonPath('$.9lives')).toBe(false);
  });
});
