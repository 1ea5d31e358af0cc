import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  it('locks a name out after the limit of failures within the window, then lets it in again', () => {
    let now = 0;
    const throttle = new LoginThrottle(3, 1000, () => now);
    for (let i = 0; i < 3; i += 1) throttle.attempt('t\0kim');
    expect(() => throttle.attempt('t\0kim')).toThrow(/Too many failed sign-ins/);
    expect(() => throttle.attempt('t\0other')).not.toThrow();
    now = 1001;
    expect(() => throttle.attempt('t\0kim')).not.toThrow();
  });

  it('forgets failures after a successful sign-in', () => {
    const throttle = new LoginThrottle(2, 1000, () => 0);
    throttle.attempt('k');
    throttle.succeeded('k');
    throttle.attempt('k');
    expect(() => throttle.attempt('k')).not.toThrow();
  });
});
