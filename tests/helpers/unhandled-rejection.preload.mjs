// Loaded with `node --import` into the real bot by resilience tests: on SIGUSR2 a promise rejects
// with nobody to handle it, as a forgotten `await` somewhere in a dependency would.
process.on('SIGUSR2', () => {
  void Promise.reject(new Error('test: a rejection nobody handles'));
});
