export { plural } from "../util/plural.js";
