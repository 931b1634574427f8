import { weakPassword } from '../../core/errors.js';

/**
 * The one password rule, applied by registration, password change and `hearth register-user`:
 * at least `minLength` characters (code points, so that an accented or non-Latin password is
 * measured as a person counts it). Throws M_WEAK_PASSWORD.
 */
export function requireAcceptablePassword(password: string, minLength: number): void {
  if ([...password].length < minLength) throw weakPassword(`Password must be at least ${minLength} characters`);
}
