/** The part of upng-js (which ships no types) that scripts/screenshots.ts uses. */
declare module 'upng-js' {
  interface Image { width: number; height: number }
  const UPNG: {
    decode(png: ArrayBuffer): Image;
    toRGBA8(image: Image): ArrayBuffer[];
    /** `colours` 0 is lossless; otherwise the image is quantised to that many colours. */
    encode(frames: ArrayBuffer[], width: number, height: number, colours: number): ArrayBuffer;
  };
  export default UPNG;
}
