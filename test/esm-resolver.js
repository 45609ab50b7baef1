/**
 * Jest resolver: the default one, and for the ESM-only packages jest must transpile (see
 * jest.config.js, ESM_ONLY) a second try with the `import` condition, since their package.json
 * `exports` offer nothing for `require`.
 */
const ESM_ONLY = /@kubernetes-models\/prometheus-operator/;

module.exports = (request, options) => {
  try {
    return options.defaultResolver(request, options);
  } catch (e) {
    if (!ESM_ONLY.test(options.basedir) && !ESM_ONLY.test(request)) throw e;
    return options.defaultResolver(request, { ...options, conditions: ['import', 'default'] });
  }
};
