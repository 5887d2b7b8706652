import { randomInt } from "node:crypto";

const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER = "abcdefghijkmnopqrstuvwxyz";
const DIGITS = "23456789";
const SYMBOLS = "!#%+-.:=?@^_~";
const ALPHABET = UPPER + LOWER + DIGITS + SYMBOLS;

/**
 * A random password for an emergency-access account: `length` characters from a
 * cryptographically secure generator, with at least one upper-case letter, one lower-case
 * letter, one digit and one symbol (Entra's complexity rule). Look-alike characters (0/O, 1/l/I)
 * are left out because the password is written down on paper.
 */
export function generatePassword(length = 24): string {
  if (!Number.isInteger(length) || length < 16 || length > 256) throw new TypeError("generatePassword: length must be 16..256");
  // With 24 characters all four classes are present ~99.7% of the time; 32 tries never run out in practice.
  for (let attempt = 0; attempt < 32; attempt++) {
    let password = "";
    for (let i = 0; i < length; i++) password += ALPHABET.charAt(randomInt(ALPHABET.length));
    const classes = [UPPER, LOWER, DIGITS, SYMBOLS].filter((set) => [...password].some((c) => set.includes(c))).length;
    if (classes === 4) return password;
  }
  throw new Error("generatePassword: the random generator kept missing a character class");
}
