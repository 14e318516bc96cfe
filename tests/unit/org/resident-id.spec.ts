import { randomBytes } from 'node:crypto';
import { ResidentIdCipher, ResidentIdCipherError } from '../../../src/org/resident-id-cipher.js';
import {
  isValidResidentId,
  maskResidentId,
  maskResidentIdsInText,
  normalizeResidentId,
  residentIdCheckCharacter,
} from '../../../src/org/resident-id.js';

/** An independent MOD 11-2 (GB 11643-1999) so the tests do not check the code against itself. */
function checkCharacter(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = first17.split('').reduce((total, digit, i) => total + Number(digit) * weights[i], 0);
  return '10X98765432'[sum % 11];
}
const withCheck = (first17: string): string => first17 + checkCharacter(first17);
/** A check character that is wrong for these 17 digits. */
const wrongCheck = (first17: string): string => first17 + (checkCharacter(first17) === '0' ? '1' : '0');

const TODAY = new Date('2026-05-01T04:00:00Z'); // 12:00 on 1 May 2026 in Asia/Shanghai

describe('resident ID numbers', () => {
  describe('isValidResidentId', () => {
    it.each([
      ['the GB 11643 standard sample', '11010519491231002X'],
      ['the standard sample with a lower-case x', '11010519491231002x'],
      ['台山市, check character X', '44078119900105123X'],
      ['台山市, computed check', withCheck('44078119900101123')],
      ['开平市, computed check', withCheck('44078319850615001')],
      ['蓬江区, 29 February of a leap year', withCheck('44070320000229456')],
      ['恩平市, born today', withCheck('44078520260501002')],
      ['surrounding whitespace', ` ${withCheck('44078119731120011')} `],
    ])('accepts %s', (_label, id) => {
      expect(isValidResidentId(id, TODAY)).toBe(true);
    });

    it('agrees with the independent check-character computation', () => {
      expect(residentIdCheckCharacter('11010519491231002')).toBe('X');
      for (const first17 of ['44078119900101123', '44078319850615001', '44070320000229456', '44078520100301999']) {
        expect(residentIdCheckCharacter(first17)).toBe(checkCharacter(first17));
      }
    });

    it.each([
      ['a wrong check digit', wrongCheck('44078119900101123')],
      ['the standard sample with a wrong check character', '110105194912310021'],
      ['17 characters', '11010519491231002'],
      ['19 characters', '11010519491231002X1'],
      ['an empty string', ''],
      ['the old 15-digit format', '110105491231002'],
      ['30 February', withCheck('44078119990230123')],
      ['29 February of a common year', withCheck('44078120230229123')],
      ['month 13', withCheck('44078119901301123')],
      ['day 00', withCheck('44078119900100123')],
      ['a birth year before 1850', withCheck('44078118491231123')],
      ['a birth date tomorrow', withCheck('44078120260502002')],
      ['a birth date in a future year', withCheck('44078120300101002')],
      ['a letter inside the digits', '4407811990A101123X'],
      ['an X that is not the last character', '44078119900X01123' + '5'],
      ['another letter as check character', '44078119900105123Y'],
      ['inner whitespace', '440781 19900105123X'],
    ])('refuses %s', (_label, id) => {
      expect(isValidResidentId(id, TODAY)).toBe(false);
    });

    it('refuses values that are not strings', () => {
      expect(isValidResidentId(110105194912310020, TODAY)).toBe(false);
      expect(isValidResidentId(undefined, TODAY)).toBe(false);
      expect(isValidResidentId(null, TODAY)).toBe(false);
    });

    it('takes today in Asia/Shanghai: a birth date of 2 May is valid from 2 May 00:00 Beijing time', () => {
      const id = withCheck('44078120260502002');
      expect(isValidResidentId(id, new Date('2026-05-01T15:59:59Z'))).toBe(false);
      expect(isValidResidentId(id, new Date('2026-05-01T16:00:00Z'))).toBe(true);
    });
  });

  it('normalises a lower-case x and surrounding whitespace', () => {
    expect(normalizeResidentId(' 11010519491231002x ')).toBe('11010519491231002X');
  });

  describe('maskResidentId', () => {
    it('shows the first 4 and last 4 characters around 10 asterisks', () => {
      expect(maskResidentId('44078119900105123X')).toBe('4407**********123X');
      expect(maskResidentId('44078119900105123x')).toBe('4407**********123X');
      expect(maskResidentId('11010519491231002X')).toBe('1101**********002X');
      expect(maskResidentId('44078119900105123X')).toHaveLength(18);
    });

    it('masks a malformed value whole', () => {
      expect(maskResidentId('110105491231002')).toBe('*'.repeat(15));
      expect(maskResidentId('')).toBe('');
    });
  });

  describe('maskResidentIdsInText', () => {
    it('masks every ID in a text and nothing else', () => {
      const text =
        'household 44078119900105123X (spouse 11010519491231002x, typo 440781199001051239) phone 13800138000, ' +
        'card 6222021234567890123, case 42, order 1234567890123456789012';
      expect(maskResidentIdsInText(text)).toBe(
        'household 4407**********123X (spouse 1101**********002X, typo 4407**********1239) phone 13800138000, ' +
          'card 6222021234567890123, case 42, order 1234567890123456789012',
      );
    });

    it('masks IDs next to letters, punctuation and CJK, at the start and at the end', () => {
      expect(maskResidentIdsInText('44078119900105123X')).toBe('4407**********123X');
      expect(maskResidentIdsInText('id=44078119900105123X;')).toBe('id=4407**********123X;');
      expect(maskResidentIdsInText('身份证号44078119900105123X已登记')).toBe('身份证号4407**********123X已登记');
      expect(maskResidentIdsInText('{"idNumber":"11010519491231002X"}')).toBe('{"idNumber":"1101**********002X"}');
      expect(maskResidentIdsInText('a\n11010519491231002X\nb')).toBe('a\n1101**********002X\nb');
    });

    it('leaves 17- and 19-digit runs and texts without IDs unchanged', () => {
      for (const text of ['11010519491231002', '1101051949123100212', 'no numbers here', '']) {
        expect(maskResidentIdsInText(text)).toBe(text);
      }
    });

    it('masks 18 digits followed by an X rather than risk leaking an ID written next to a letter', () => {
      expect(maskResidentIdsInText('110105194912310021X')).toBe('1101**********0021X');
    });

    it('masks two IDs that touch only through a separator', () => {
      expect(maskResidentIdsInText('11010519491231002X,44078119900105123X')).toBe('1101**********002X,4407**********123X');
    });
  });
});

describe('ResidentIdCipher', () => {
  const key = randomBytes(32);
  const cipher = new ResidentIdCipher(key);
  const id = '44078119900105123X';

  it('round-trips an ID and normalises a lower-case x', () => {
    expect(cipher.decrypt(cipher.encrypt(id))).toBe(id);
    expect(cipher.decrypt(cipher.encrypt('44078119900105123x'))).toBe(id);
  });

  it('takes the key as base64, as configured in RESIDENT_ID_KEY', () => {
    const fromBase64 = new ResidentIdCipher(key.toString('base64'));
    expect(fromBase64.decrypt(cipher.encrypt(id))).toBe(id);
    expect(ResidentIdCipher.fromConfig({ residentIdKey: key.toString('base64') }).blindIndex(id)).toBe(cipher.blindIndex(id));
  });

  it('writes a versioned base64url token that contains no trace of the ID', () => {
    const token = cipher.encrypt(id);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    // 12-byte IV + 16-byte tag + 18 bytes of ciphertext
    expect(Buffer.from(token.slice(3), 'base64url')).toHaveLength(12 + 16 + 18);
    expect(token).not.toContain('440781');
    expect(maskResidentIdsInText(token)).toBe(token);
  });

  it('encrypts the same ID differently every time (random IV)', () => {
    const tokens = new Set(Array.from({ length: 20 }, () => cipher.encrypt(id)));
    expect(tokens.size).toBe(20);
    for (const token of tokens) expect(cipher.decrypt(token)).toBe(id);
  });

  it('refuses a token altered in any byte, truncated, of another version or from another key', () => {
    const token = cipher.encrypt(id);
    const bytes = Buffer.from(token.slice(3), 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const altered = Buffer.from(bytes);
      altered[i] ^= 0x01;
      expect(() => cipher.decrypt(`v1.${altered.toString('base64url')}`)).toThrow(ResidentIdCipherError);
    }
    expect(() => cipher.decrypt(`v1.${bytes.subarray(0, 28).toString('base64url')}`)).toThrow(ResidentIdCipherError);
    expect(() => cipher.decrypt(`v1.${bytes.subarray(0, 40).toString('base64url')}`)).toThrow(ResidentIdCipherError);
    expect(() => cipher.decrypt(`v2.${token.slice(3)}`)).toThrow(/version/);
    expect(() => cipher.decrypt(token.slice(3))).toThrow(ResidentIdCipherError);
    expect(() => cipher.decrypt('v1.not base64!')).toThrow(ResidentIdCipherError);
    expect(() => new ResidentIdCipher(randomBytes(32)).decrypt(token)).toThrow(ResidentIdCipherError);
  });

  it('refuses to encrypt or index what is not ID-shaped, without echoing the value', () => {
    for (const bad of ['', '4407811990010512', '44078119900105123XX', '4407811990A105123X']) {
      expect(() => cipher.encrypt(bad)).toThrow(ResidentIdCipherError);
      expect(() => cipher.blindIndex(bad)).toThrow(ResidentIdCipherError);
    }
    try {
      cipher.encrypt('4407811990010512');
    } catch (error) {
      expect((error as Error).message).not.toContain('4407811990010512');
    }
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new ResidentIdCipher(randomBytes(16))).toThrow(/32 bytes/);
    expect(() => new ResidentIdCipher(randomBytes(31).toString('base64'))).toThrow(/32 bytes/);
  });

  it('gives a stable, keyed blind index', () => {
    const index = cipher.blindIndex(id);
    expect(index).toMatch(/^[0-9a-f]{64}$/);
    expect(cipher.blindIndex(id)).toBe(index);
    expect(new ResidentIdCipher(Buffer.from(key)).blindIndex(id)).toBe(index); // same key, another instance
    expect(cipher.blindIndex('44078119900105123x')).toBe(index); // normalised
    expect(cipher.blindIndex(' 44078119900105123X ')).toBe(index);
    expect(cipher.blindIndex('11010519491231002X')).not.toBe(index);
    expect(new ResidentIdCipher(randomBytes(32)).blindIndex(id)).not.toBe(index); // keyed
  });

  it('derives separate keys: the blind index is not a plain HMAC or SHA-256 of the ID with the configured key', async () => {
    const { createHash, createHmac } = await import('node:crypto');
    const index = cipher.blindIndex(id);
    expect(index).not.toBe(createHmac('sha256', key).update(id).digest('hex'));
    expect(index).not.toBe(createHash('sha256').update(id).digest('hex'));
  });
});
