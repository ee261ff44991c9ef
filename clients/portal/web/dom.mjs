// Building the page from data without HTML strings: text is always text.

// el('p', {class: 'x'}, 'text', child...) -> the element.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) {
      node.addEventListener(name.slice(2), value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Replaces the children of `node`.
export function show(node, ...children) {
  node.replaceChildren();
  for (const child of children.flat()) {
    if (child) node.append(child instanceof Node ? child : String(child));
  }
}
