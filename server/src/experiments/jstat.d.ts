// jstat 1.9.6 ships no types: only the distribution functions the statistics module uses.
declare module 'jstat' {
  interface JStat {
    normal: { cdf(x: number, mean: number, std: number): number; inv(p: number, mean: number, std: number): number };
    studentt: { cdf(x: number, dof: number): number; inv(p: number, dof: number): number };
    chisquare: { cdf(x: number, dof: number): number };
    gammaln(x: number): number;
    erfc(x: number): number;
  }
  const jStat: JStat;
  export default jStat;
}
