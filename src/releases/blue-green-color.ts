/**
 * The colors of a blue-green release: a file of its own so that the release's routing record can
 * name the active color without importing the construct.
 */

/** The two colors of a blue-green release. */
export enum BlueGreenColor {
  /** The blue track. */
  BLUE = 'blue',
  /** The green track. */
  GREEN = 'green',
}
