// The SPARQL page's editor: CodeMirror over the plain textarea (the form works
// without it), the example picker, and the line of a syntax error marked.
(function () {
  "use strict";
  var area = document.getElementById("query");
  var picker = document.querySelector("[data-examples]");
  if (!area || typeof CodeMirror === "undefined") return;
  var editor = CodeMirror.fromTextArea(area, {
    mode: "application/sparql-query", lineNumbers: true, viewportMargin: Infinity,
    screenReaderLabel: "Query",
    // Tab leaves the editor, as everywhere else on the page (keyboard users).
    extraKeys: { Tab: false, "Shift-Tab": false, "Ctrl-Enter": function () { submit(); } }
  });
  function submit() { editor.save(); area.form.submit(); }
  var line = parseInt(area.getAttribute("data-error-line"), 10);
  if (line > 0) editor.addLineClass(line - 1, "background", "error-line");
  if (picker) picker.addEventListener("change", function () {
    var source = document.getElementById("example-" + picker.value);
    if (source) editor.setValue(source.content.textContent);
  });
})();
