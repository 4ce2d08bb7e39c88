import { z } from 'zod';
import { InputError } from '../../api/problem';
import { operatorKeys, parsePart } from '../../api/validate';

describe('request validation', () => {
  const schema = z.strictObject({ title: z.string().min(1), tags: z.array(z.string()).optional() });

  it('finds $-operators and dotted keys at any depth', () => {
    expect(operatorKeys({ a: { $gt: 1 }, b: [{ 'x.y': 2 }], c: 'ok' }, 'body')).toEqual([
      { field: 'body.a.$gt', message: expect.stringMatching(/not allowed/) },
      { field: 'body.b.0.x.y', message: expect.stringMatching(/not allowed/) },
    ]);
  });

  it('lists each invalid and unknown field with its path', () => {
    try {
      parsePart(schema, { title: '', tags: [1], extra: true }, 'body');
      throw new Error('expected an InputError');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).extra.errors).toEqual([
        { field: 'body.title', message: expect.any(String) },
        { field: 'body.tags.0', message: expect.any(String) },
        { field: 'body', message: 'unknown field(s): extra' },
      ]);
    }
  });

  it('passes valid input through, parsed', () => {
    expect(parsePart(schema, { title: 'ok' }, 'body')).toEqual({ title: 'ok' });
  });
});
