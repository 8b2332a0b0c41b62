// A button with data-clear-field="<input id>" empties that input and puts the cursor there:
// the candidate edit form shows the ID number masked, and 修改身份证号 starts a new one.
// The button stays hidden without this script; the masked text can then be typed over.
document.querySelectorAll('[data-clear-field]').forEach(function (button) {
  var field = document.getElementById(button.getAttribute('data-clear-field'));
  if (!field) {
    return;
  }
  button.hidden = false;
  button.addEventListener('click', function () {
    field.value = '';
    field.focus();
  });
});
