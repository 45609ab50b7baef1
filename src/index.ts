export * from './header-match';
export * from './release-track';
export * from './release-options';
export * from './traffic-router';
export * from './nginx-router';
export * from './canary-release';
export * from './blue-green-release';
